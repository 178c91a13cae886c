using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using BlueGreen.Aws.ECS;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Runtime;
using BlueGreen.Tests.Infrastructure;
using Ecs = BlueGreen.Aws.ECS.Model;
using Fn = BlueGreen.Aws.Lambda.Model;

namespace BlueGreen.Tests.Runtime;

/// <summary>What the trace may show: names, never secrets.</summary>
public sealed class RedactionTests
{
    private const string SecretKey = "scripted-secret";
    private const string SessionToken = "SESSION-TOKEN-abc123";

    [Fact]
    public void Json_SecretMembersAndEnvironmentValuesAreMasked_NamesStay()
    {
        var json = """
        {"Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"sk-1","SessionToken":"tok-1"},
         "Environment":{"Variables":{"DB_PASSWORD":"env-1","FEATURE":"env-2"}},
         "containerDefinitions":[{"name":"web","image":"nginx","environment":[{"name":"API_KEY","value":"env-3"}],
                                   "secrets":[{"name":"TOKEN","valueFrom":"arn:aws:ssm:us-east-1:1:parameter/env-4"}]}],
         "Description":"visible"}
        """;
        var redacted = AwsRedaction.RedactBody(Encoding.UTF8.GetBytes(json), "application/x-amz-json-1.1");

        foreach (var secret in new[] { "sk-1", "tok-1", "env-1", "env-2", "env-3", "env-4" })
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }

        foreach (var visible in new[] { "DB_PASSWORD", "FEATURE", "API_KEY", "TOKEN", "\"name\":\"web\"", "nginx", "visible" })
        {
            Assert.Contains(visible, redacted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Form_SecretFieldsAreMasked()
    {
        var form = "Action=AssumeRole&Version=2011-06-15&Password=hunter2&Credentials.SecretAccessKey=sk%2F2&Name=visible";
        var redacted = AwsRedaction.RedactBody(Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-8");

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("sk%2F2", redacted, StringComparison.Ordinal);
        Assert.Contains("Name=visible", redacted, StringComparison.Ordinal);
        Assert.Contains("Password=***", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_SecretElementsAreMasked()
    {
        var xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>sk-3</SecretAccessKey>" +
                  "<SessionToken>tok-3</SessionToken></Credentials><Name>visible</Name></AssumeRoleResult></AssumeRoleResponse>";
        var redacted = AwsRedaction.RedactBody(Encoding.UTF8.GetBytes(xml), "text/xml");

        Assert.DoesNotContain("sk-3", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-3", redacted, StringComparison.Ordinal);
        Assert.Contains("<Name>visible</Name>", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_AuthorizationAndTokenAreMasked()
    {
        Assert.Equal(AwsRedaction.Mask, AwsRedaction.RedactHeader("authorization", "AWS4-HMAC-SHA256 Credential=..."));
        Assert.Equal(AwsRedaction.Mask, AwsRedaction.RedactHeader("X-Amz-Security-Token", SessionToken));
        Assert.Equal("20150830T123600Z", AwsRedaction.RedactHeader("X-Amz-Date", "20150830T123600Z"));
    }

    [Fact]
    public async Task RealCalls_TraceNeverShowsKeysTokensOrEnvironmentValues()
    {
        // Both directions carry secrets: the requests hold environment values, the answers echo them back.
        using var server = new ScriptedHttpServer()
            .Respond(201, """{"FunctionName":"fn","Environment":{"Variables":{"DB_PASSWORD":"lambda-answer-value"}}}""")
            .Respond(200, """{"taskDefinition":{"family":"fam","containerDefinitions":[{"name":"web","environment":[{"name":"API_KEY","value":"ecs-answer-value"}]}]}}""");
        var context = server.Context(sessionToken: SessionToken);
        var trace = new CapturingTrace();
        context.Trace = trace;

        var created = await new LambdaClient(context).CreateFunctionAsync(new Fn.CreateFunctionRequest
        {
            FunctionName = "fn",
            Role = "arn:aws:iam::123456789012:role/lambda-role",
            Runtime = "python3.12",
            Handler = "index.handler",
            Code = new Fn.FunctionCode { ZipFile = new byte[] { 1, 2, 3 } },
            Environment = new Fn.Environment { Variables = new Dictionary<string, string> { ["DB_PASSWORD"] = "lambda-request-value" } },
        });
        Assert.Equal("lambda-answer-value", created.Environment!.Variables!["DB_PASSWORD"]);

        var registered = await new EcsClient(context).RegisterTaskDefinitionAsync(new Ecs.RegisterTaskDefinitionRequest
        {
            Family = "fam",
            ContainerDefinitions = new()
            {
                new Ecs.ContainerDefinition { Name = "web", Image = "nginx", Environment = new() { new Ecs.KeyValuePair { Name = "API_KEY", Value = "ecs-request-value" } } },
            },
        });
        Assert.Equal("ecs-answer-value", registered.TaskDefinition!.ContainerDefinitions![0].Environment![0].Value);

        // The server saw the real secrets (signed with them), so the trace is the only thing that hid them.
        Assert.All(server.Requests, r => Assert.Equal(SessionToken, r.Headers["X-Amz-Security-Token"]));
        Assert.Contains(server.Requests, r => r.Body.Contains("lambda-request-value", StringComparison.Ordinal));

        var lines = trace.Lines.ToArray();
        Assert.Equal(4, lines.Length);
        foreach (var line in lines)
        {
            foreach (var secret in new[] { SecretKey, SessionToken, "lambda-request-value", "lambda-answer-value", "ecs-request-value", "ecs-answer-value" })
            {
                Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("Signature=", line, StringComparison.Ordinal);
        }

        Assert.Contains(lines, l => l.StartsWith("Lambda.CreateFunction request:", StringComparison.Ordinal) && l.Contains("DB_PASSWORD", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ECS.RegisterTaskDefinition response:", StringComparison.Ordinal) && l.Contains("API_KEY", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("X-Amz-Security-Token: ***", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(lines, l => l.Contains("Authorization: ***", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_MapValuesAreMaskedWhateverTheirKey()
    {
        var text = AwsRedaction.RedactJson("{\"Environment\":{\"Variables\":{\"name\":\"s3cr3t-in-name\",\"Name\":\"another-secret\",\"PLAIN\":\"x1\"}}}")!;
        Assert.DoesNotContain("s3cr3t-in-name", text, StringComparison.Ordinal);
        Assert.DoesNotContain("another-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("x1", text, StringComparison.Ordinal);
        Assert.Contains("PLAIN", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_PresignedUrlsLoseTheirQuery()
    {
        var text = AwsRedaction.RedactJson("{\"Code\":{\"Location\":\"https://bucket.s3.amazonaws.com/fn.zip?X-Amz-Security-Token=tok123&X-Amz-Credential=AKID%2F&X-Amz-Signature=abc\"}}")!;
        Assert.DoesNotContain("tok123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz-Signature", text, StringComparison.Ordinal);
        Assert.Contains("https://bucket.s3.amazonaws.com/fn.zip?***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Excerpt_OfJson_MasksSecretMembers_AndStaysOneLine()
    {
        var body = Encoding.UTF8.GetBytes("{\n  \"message\": \"denied\",\n  \"SecretAccessKey\": \"sk-1\",\n  \"password\": \"pw-1\"\n}");
        var excerpt = AwsRedaction.Excerpt(body, "application/json");

        Assert.Equal("{\"message\":\"denied\",\"SecretAccessKey\":\"***\",\"password\":\"***\"}", excerpt);
    }

    [Fact]
    public void Excerpt_OfMarkup_DecodesEntities_CutsAtAWord_AndMasksAssignments()
    {
        var body = Encoding.UTF8.GetBytes("<p>Tom &amp; Jerry&#39;s page</p><p>password=hunter2; token: 'abc def'</p>" + string.Concat(Enumerable.Repeat(" word", 100)));
        var excerpt = AwsRedaction.Excerpt(body, "text/html", maxCharacters: 80);

        Assert.StartsWith("Tom & Jerry's page password=***; token: '***' word", excerpt, StringComparison.Ordinal);
        Assert.EndsWith(" word...", excerpt, StringComparison.Ordinal);
        Assert.InRange(excerpt.Length, 60, 83);
        Assert.DoesNotContain("hunter2", excerpt, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", excerpt, StringComparison.Ordinal);
    }
}
