using System;
using System.Collections;
using System.Collections.Generic;
using BlueGreen.Core.Releases;

namespace BlueGreen.Tests.Releases;

public sealed class ImageArgumentsTests
{
    private static readonly string Sha256 = new('a', 64);

    [Theory]
    [InlineData("nginx")]
    [InlineData("nginx:latest")]
    [InlineData("library/nginx:1.27")]
    [InlineData("public.ecr.aws/sandbox/web:2.4.1")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.4.1")]
    [InlineData("localhost:5000/web:1")]
    [InlineData("localhost/web")]
    [InlineData("registry.example.com:443/team/web-app_v2:2.4.1-rc.1")]
    [InlineData("Registry.Example.com/web:1")]
    [InlineData("10.0.0.1:5000/web")]
    [InlineData("a__b/c.d/e---f:_TAG.1-x")]
    [InlineData("web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("host:5000/web:2@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("web@sha512:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("web@multihash+base58:0123456789abcdef0123456789abcdef")]
    public void Problem_AcceptsImageReferences(string image)
    {
        Assert.Null(ImageArguments.Problem(image));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("repo:", "tag after ':' is empty")]
    [InlineData("public.ecr.aws/sandbox/web:", "tag after ':' is empty")]
    [InlineData("repo:1 .0", "space")]
    [InlineData("repo:1\t", "space")]
    [InlineData("Repo:1", "capital letters")]
    [InlineData("Team/web:1", "capital letters")]
    [InlineData("public.ecr.aws/Sandbox/web:1", "capital letters")]
    [InlineData("repo:-1", "is not a tag")]
    [InlineData("repo:.1", "is not a tag")]
    [InlineData("repo:a+b", "is not a tag")]
    [InlineData("/web:1", "empty path component")]
    [InlineData("team//web:1", "empty path component")]
    [InlineData("team/web/:1", "empty path component")]
    [InlineData("web-:1", "repository component 'web-'")]
    [InlineData("_web", "repository component '_web'")]
    [InlineData("we..b", "repository component 'we..b'")]
    [InlineData(":1", "repository name is empty")]
    [InlineData("host:99999/web", "port")]
    [InlineData("host:/web", "port")]
    [InlineData("host:50a0/web", "port")]
    [InlineData("-host.com/web", "not a host name")]
    [InlineData("web@sha256:abc", "3 hex digits where it takes 64")]
    [InlineData("web@sha256:", "hex digits")]
    [InlineData("web@sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "not hex digits")]
    [InlineData("web@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "capital hex digits")]
    [InlineData("web@abc", "not algorithm:hex")]
    [InlineData("web@:abc", "not algorithm:hex")]
    [InlineData("web@1sha:0123456789abcdef0123456789abcdef", "algorithm '1sha'")]
    [InlineData("web@foo:0123", "fewer than 32")]
    public void Problem_RefusesWhatIsNotAnImageReference(string image, string says)
    {
        var problem = ImageArguments.Problem(image);
        Assert.NotNull(problem);
        Assert.Contains(says, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_KeepsToEcsLengthAndTagLength()
    {
        Assert.Null(ImageArguments.Problem("web:" + new string('a', 128)));
        Assert.Contains("is not a tag", ImageArguments.Problem("web:" + new string('a', 129)), StringComparison.Ordinal);
        var longest = "r/" + new string('w', 253);
        Assert.Equal(255, longest.Length);
        Assert.Null(ImageArguments.Problem(longest));
        Assert.Contains("ECS takes at most 255", ImageArguments.Problem(longest + "w"), StringComparison.Ordinal);
    }

    public static TheoryData<object, string[]> ValidShapes() => new()
    {
        { "repo/web:2", new[] { "=repo/web:2" } },
        { "  repo/web:2  ", new[] { "=repo/web:2" } },
        { "web=repo/web:2", new[] { "web=repo/web:2" } },
        { "web=localhost:5000/web:2", new[] { "web=localhost:5000/web:2" } },
        { $"web=repo/web@sha256:{Sha256}", new[] { $"web=repo/web@sha256:{Sha256}" } },
        { new Hashtable { ["web"] = "repo/web:2", ["log_router"] = "fluent/bit:3" }, new[] { "log_router=fluent/bit:3", "web=repo/web:2" } },
        { new Dictionary<string, string> { ["Web-1"] = " repo/web:2 " }, new[] { "Web-1=repo/web:2" } },
        { new object[] { "web=repo/web:2", "sidecar=repo/side:1" }, new[] { "sidecar=repo/side:1", "web=repo/web:2" } },
    };

    [Theory]
    [MemberData(nameof(ValidShapes))]
    public void Parse_ReadsEveryShape(object value, string[] expected)
    {
        var images = ImageArguments.Parse(value);
        var pairs = new List<string>();
        foreach (var pair in images)
        {
            pairs.Add(pair.Key + "=" + pair.Value);
        }

        pairs.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, pairs);
    }

    public static TheoryData<object?, string> InvalidShapes() => new()
    {
        { "web=repo:", "container 'web' ('repo:') is not a valid image reference: the tag after ':' is empty" },
        { "repo:", "The image 'repo:' is not a valid image reference" },
        { new Hashtable { ["web"] = "repo:1 .0" }, "container 'web' ('repo:1 .0') is not a valid image reference: it contains a space" },
        { new Hashtable { ["web"] = "" }, "container 'web'" },
        { new Hashtable { ["web"] = 42 }, "container 'web' is a Int32" },
        { new Hashtable { ["web"] = null }, "container 'web' is empty" },
        { new Hashtable { [" "] = "repo:1" }, "without a container name" },
        { new Hashtable(), "names no image" },
        { "=repo:1", "no container name before '='" },
        { " = repo:1", "no container name before '='" },
        { "web=", "container 'web' ('') is not a valid image reference: the image is empty" },
        { "my web=repo:1", "'my web' is not a container name" },
        { "web.1=repo:1", "'web.1' is not a container name" },
        { new object[] { "web=repo:1", "web=repo:2" }, "container 'web' twice ('repo:1' and 'repo:2')" },
        { new object[] { "repo:1" }, "names no container" },
        { new object[] { "web=repo:1", 7 }, "an item that is a Int32" },
        { Array.Empty<object>(), "names no image" },
        { "web=Repo:1", "capital letters" },
        { 42, "-Image cannot be a Int32" },
        { null, "-Image cannot be empty" },
    };

    [Theory]
    [MemberData(nameof(InvalidShapes))]
    public void Parse_RefusesWithInvalidImage(object? value, string says)
    {
        var error = Assert.Throws<ReleaseException>(() => ImageArguments.Parse(value));
        Assert.Equal("InvalidImage", error.ErrorId);
        Assert.Equal(ReleaseErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public void Parse_UnwrapsWhatTheHostWraps()
    {
        var wrapped = new Wrapper(new Hashtable { ["web"] = new Wrapper("repo/web:2") });
        var images = ImageArguments.Parse(wrapped, v => v is Wrapper w ? w.Value : v);
        Assert.Equal("repo/web:2", images["web"]);
    }

    private sealed class Wrapper
    {
        public Wrapper(object value) => Value = value;

        public object Value { get; }
    }
}
