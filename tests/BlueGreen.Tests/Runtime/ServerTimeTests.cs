using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using BlueGreen.Aws.Lambda;
using BlueGreen.Aws.Lambda.Model;
using BlueGreen.Tests.Infrastructure;

namespace BlueGreen.Tests.Runtime;

/// <summary>An answer carries the service's time (its Date header): what a release the module paces itself counts by.</summary>
public sealed class ServerTimeTests
{
    private const string Alias = """{"AliasArn":"arn:aws:lambda:us-east-1:123456789012:function:payments:live","Name":"live","FunctionVersion":"1","RevisionId":"r1"}""";

    [Fact]
    public async Task TheDateHeader_IsTheAnswersServerTime_EvenFarFromTheLocalClock()
    {
        // A sandbox running at a time scale dates its answers hours or days ahead of this machine.
        using var server = new ScriptedHttpServer().Respond(200, Alias, new Dictionary<string, string> { ["Date"] = "Sun, 03 Jan 2027 04:05:06 GMT" });
        var alias = await new LambdaClient(server.Context(maxAttempts: 1)).GetAliasAsync(new GetAliasRequest { FunctionName = "payments", Name = "live" });

        Assert.Equal(new DateTimeOffset(2027, 1, 3, 4, 5, 6, TimeSpan.Zero), alias.ServerTime);
        Assert.Equal("1", alias.FunctionVersion);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yesterday")]
    public async Task WithoutAReadableDate_ThereIsNoServerTime(string? date)
    {
        var headers = date is null ? null : new Dictionary<string, string> { ["Date"] = date };
        using var server = new ScriptedHttpServer().Respond(200, Alias, headers);
        var alias = await new LambdaClient(server.Context(maxAttempts: 1)).GetAliasAsync(new GetAliasRequest { FunctionName = "payments", Name = "live" });

        Assert.Null(alias.ServerTime);
    }
}
