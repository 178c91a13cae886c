using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using BlueGreen.Testing;
using Npgsql;
using Xunit;

namespace BlueGreen.Schema.Tests;

/// <summary>
/// The PostgreSQL the tests run against: the one build.ps1 started (BLUEGREEN_TEST_PG), or, when the
/// tests run on their own, one started here the same way tests/services/postgres.ps1 does it.
/// Nothing is installed from here: without PostgreSQL the tests fail, saying how to install it.
/// Each test gets a database of its own from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? _root;
    private string? _bin;
    private bool _asPostgres;

    public string AdminConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        string? external = Environment.GetEnvironmentVariable("BLUEGREEN_TEST_PG");
        if (!string.IsNullOrEmpty(external))
        {
            AdminConnectionString = external;
            return;
        }

        string initdb = FindInitDb() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb, and BLUEGREEN_TEST_PG names no server. " +
            "'dotnet pwsh ./build.ps1 Test' installs it and runs every test; or install it yourself (as root: " +
            "apt-get install -y --no-install-recommends postgresql), or set BLUEGREEN_TEST_PG to a server's connection string.");

        _bin = Path.GetDirectoryName(initdb)!;
        _asPostgres = Environment.UserName == "root";
        _root = Path.Combine(Path.GetTempPath(), "bluegreen-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        if (_asPostgres)
        {
            Run("chown", $"postgres:postgres {_root}", asPostgres: false);
            Run("chmod", $"700 {_root}", asPostgres: false);
        }

        int port = FreePort();
        // A throw-away server, as tests/services/postgres.ps1 starts it: it never waits on the disk (no fsync).
        Run(Path.Combine(_bin, "initdb"), $"-D {_root}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync", _asPostgres);
        Run(Path.Combine(_bin, "pg_ctl"), $"-D {_root}/data -l {_root}/log -o \"-p {port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" -w start", _asPostgres);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        await Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        if (_root is not null && _bin is not null)
        {
            Run(Path.Combine(_bin, "pg_ctl"), $"-D {_root}/data -m fast -w stop", _asPostgres);
            OwnedPath.Delete(_root);
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = "bg_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static string? FindInitDb() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin", "initdb"))
                .Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out int v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string file, string arguments, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}: {output.Result}{error.Result}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
