using System;
using System.IO;
using BlueGreen.Testing;

namespace BlueGreen.Schema.Tests;

/// <summary>A temporary folder that removes itself; Write creates files (and folders) below it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bluegreen-schema-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relative, string text)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            OwnedPath.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
