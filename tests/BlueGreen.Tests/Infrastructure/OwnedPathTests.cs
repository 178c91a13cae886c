using System;
using System.IO;
using BlueGreen.Testing;

namespace BlueGreen.Tests.Infrastructure;

/// <summary>
/// The guard every test deletion goes through. Deleting refusals run in a world of their own under the
/// temp directory (its own temp root, repository and home), so that a broken guard could only ever
/// delete what this class made; refusals that name the machine's real places are only checked, never deleted.
/// </summary>
public sealed class OwnedPathTests : IDisposable
{
    private readonly string _world = Path.Combine(Path.GetTempPath(), "bluegreen-owned-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly OwnedRoots _roots;

    public OwnedPathTests()
    {
        foreach (string folder in new[] { "tmp/work/sub", "tmp/users/me", "repo/src/App/bin/Release", "repo/out/BlueGreen", "repo/.git", "outside/keep" })
        {
            Directory.CreateDirectory(Path.Combine(_world, folder));
        }

        File.WriteAllText(Path.Combine(_world, "outside/keep/target.txt"), "must survive");
        File.WriteAllText(Path.Combine(_world, "repo/src/App/Program.cs"), "// source");
        File.WriteAllText(Path.Combine(_world, "repo/src/App/bin/Release/App.dll"), "built");
        File.WriteAllText(Path.Combine(_world, "repo/out/BlueGreen/BlueGreen.psd1"), "built");
        File.WriteAllText(Path.Combine(_world, "tmp/work/sub/file.txt"), "made by a test");
        File.CreateSymbolicLink(Path.Combine(_world, "tmp/escape"), Path.Combine(_world, "outside"));
        _roots = OwnedRoots.Create(In("tmp"), In("repo"), [In("tmp/users/me")]);
    }

    public void Dispose() => OwnedPath.Delete(_world);

    private string In(string relative) => Path.Combine(_world, relative);

    private void AssertRefused(string path, string reason, OwnedRoots? roots = null)
    {
        var error = Assert.Throws<InvalidOperationException>(() => OwnedPath.Delete(path, roots ?? _roots));
        Assert.StartsWith("Refusing to delete", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was deleted", error.Message, StringComparison.Ordinal);
    }

    private void AssertUntouched()
    {
        Assert.Equal("must survive", File.ReadAllText(In("outside/keep/target.txt")));
        Assert.True(File.Exists(In("repo/src/App/Program.cs")));
        Assert.True(Directory.Exists(In("tmp/users/me")));
        Assert.True(File.Exists(In("tmp/work/sub/file.txt")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    public void Refuses_an_empty_path(string path)
    {
        AssertRefused(path, "the path is empty");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_the_temp_directory_itself()
    {
        // With the home elsewhere, so that the temp directory is refused as such.
        var roots = OwnedRoots.Create(In("tmp"), In("repo"), [In("outside")]);
        AssertRefused(In("tmp"), "is or holds the temp directory", roots);
        AssertRefused(In("tmp") + Path.DirectorySeparatorChar, "is or holds the temp directory", roots);
        AssertRefused(In("tmp/work/.."), "is or holds the temp directory", roots);
        AssertRefused(In("tmp"), "home directory");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_the_repository_itself_and_its_sources()
    {
        AssertRefused(In("repo"), "is or holds the repository");
        AssertRefused(In("repo/src"), "only build and test output");
        AssertRefused(In("repo/src/App/Program.cs"), "only build and test output");
        AssertRefused(In("repo/.git"), "only build and test output");
        Assert.True(Directory.Exists(In("repo/.git")));
        AssertUntouched();
    }

    [Fact]
    public void Refuses_home_and_what_holds_it()
    {
        AssertRefused(In("tmp/users/me"), "home directory");
        AssertRefused(In("tmp/users"), "home directory");
        AssertRefused(_world, "home directory");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_a_path_that_escapes_only_through_dot_dot()
    {
        AssertRefused(In("tmp/work/sub/../../../outside/keep/target.txt"), "outside the temp directory");
        AssertRefused(In("tmp/work/../../outside"), "outside the temp directory");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_a_path_through_a_symlinked_parent_that_leaves_the_temp_directory()
    {
        AssertRefused(In("tmp/escape/keep/target.txt"), "outside the temp directory");
        AssertRefused(In("tmp/escape/keep"), "outside the temp directory");
        // A trailing separator means the folder the link points to.
        AssertRefused(In("tmp/escape") + Path.DirectorySeparatorChar, "outside the temp directory");
        // '..' after a link goes up from the link's target, as the file system goes.
        AssertRefused(In("tmp/escape/keep/../keep/target.txt"), "outside the temp directory");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_outside_every_root()
    {
        AssertRefused(In("outside/keep/target.txt"), "outside the temp directory and the repository");
        AssertUntouched();
    }

    [Fact]
    public void Refuses_everything_when_the_temp_directory_is_home()
    {
        var roots = OwnedRoots.Create(In("tmp"), In("repo"), [In("tmp")]);
        var error = Assert.Throws<InvalidOperationException>(() => OwnedPath.Delete(In("tmp/work/sub/file.txt"), roots));
        Assert.Contains("home directory", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(In("tmp/work/sub/file.txt")));
    }

    [Fact]
    public void Refuses_the_real_roots_of_this_machine()
    {
        // Checked, never deleted: a broken guard must not be able to reach them.
        string root = Path.GetPathRoot(Path.GetTempPath())!;
        foreach (string path in new[] { root, Path.GetTempPath(), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) })
        {
            var error = Assert.Throws<InvalidOperationException>(() => OwnedPath.Check(path));
            Assert.StartsWith("Refusing to delete", error.Message, StringComparison.Ordinal);
        }

        string repository = OwnedRoots.OfThisMachine().Repository ?? throw new InvalidOperationException("The tests run outside the repository.");
        Assert.Throws<InvalidOperationException>(() => OwnedPath.Check(repository));
        Assert.Throws<InvalidOperationException>(() => OwnedPath.Check(Path.Combine(repository, "src")));
        Assert.Throws<InvalidOperationException>(() => OwnedPath.Check(Path.Combine(repository, "tests", "Shared", "OwnedPath.cs")));
        Assert.Equal(Path.Combine(repository, "out", "test-results"), OwnedPath.Check(Path.Combine(repository, "out", "test-results")));
    }

    [Fact]
    public void Deletes_a_folder_it_made_in_the_temp_directory_without_following_links_inside()
    {
        File.CreateSymbolicLink(In("tmp/work/sub/link"), In("outside"));
        OwnedPath.Delete(In("tmp/work"), _roots);
        Assert.False(Directory.Exists(In("tmp/work")));
        Assert.Equal("must survive", File.ReadAllText(In("outside/keep/target.txt")));
    }

    [Fact]
    public void Deletes_a_link_as_a_link_and_never_its_target()
    {
        OwnedPath.Delete(In("tmp/escape"), _roots);
        Assert.Null(new FileInfo(In("tmp/escape")).LinkTarget);
        Assert.False(Path.Exists(In("tmp/escape")));
        Assert.Equal("must survive", File.ReadAllText(In("outside/keep/target.txt")));
    }

    [Fact]
    public void Deletes_build_output_in_the_repository()
    {
        OwnedPath.Delete(In("repo/src/App/bin"), _roots);
        OwnedPath.Delete(In("repo/out/BlueGreen/BlueGreen.psd1"), _roots);
        Assert.False(Directory.Exists(In("repo/src/App/bin")));
        Assert.False(File.Exists(In("repo/out/BlueGreen/BlueGreen.psd1")));
        Assert.True(File.Exists(In("repo/src/App/Program.cs")));
    }

    [Fact]
    public void A_missing_path_is_no_error()
    {
        OwnedPath.Delete(In("tmp/never-made"), _roots);
        Assert.False(Path.Exists(In("tmp/never-made")));
    }

    [Fact]
    public void Deletes_a_real_temp_folder_of_this_machine()
    {
        string folder = Path.Combine(Path.GetTempPath(), "bluegreen-owned-real-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "a", "b"));
        File.WriteAllText(Path.Combine(folder, "a", "b", "c.txt"), "x");
        OwnedPath.Delete(folder);
        Assert.False(Directory.Exists(folder));
    }
}
