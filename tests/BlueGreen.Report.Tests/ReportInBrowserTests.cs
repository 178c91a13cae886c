using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using BlueGreen.Core.Reporting;
using BlueGreen.Tests.Reporting;
using Microsoft.Playwright;
using static BlueGreen.Tests.Reporting.SampleReleases;

namespace BlueGreen.Report.Tests;

/// <summary>One headless Chromium for every test: the system's browser (build.ps1 installs it), never a downloaded one.</summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: 'dotnet pwsh ./build.ps1 Test' installs it (apt-get install -y chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Executable, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null)
        {
            await Instance.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>A report page as Chromium shows it, with everything it said and asked for.</summary>
internal sealed class Shown
{
    public required IPage Page { get; init; }

    public List<string> Problems { get; } = new();

    public List<string> Requests { get; } = new();

    public static async Task<Shown> OpenAsync(IBrowser browser, string html)
    {
        var context = await browser.NewContextAsync(new() { JavaScriptEnabled = true });
        var page = await context.NewPageAsync();
        var shown = new Shown { Page = page };
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                shown.Problems.Add($"console {m.Type}: {m.Text}");
            }
        };
        page.PageError += (_, e) => shown.Problems.Add("page error: " + e);
        page.Request += (_, r) => shown.Requests.Add(r.Url);
        await page.SetContentAsync(html, new() { WaitUntil = WaitUntilState.Load });
        return shown;
    }
}

public sealed class ReportInBrowserTests : IClassFixture<Browser>
{
    private readonly Browser _browser;

    public ReportInBrowserTests(Browser browser) => _browser = browser;

    private static string Html() => ReleaseReport.From(new[] { Succeeded(), RolledBack() }, AtOffset(30)).ToHtml();

    [Fact]
    public async Task The_page_renders_without_errors_or_requests()
    {
        var shown = await Shown.OpenAsync(_browser.Instance, Html());

        Assert.Empty(shown.Problems);
        Assert.Empty(shown.Requests);
        Assert.Equal("Release report: 2 releases", await shown.Page.TitleAsync());
        Assert.Equal(2, await shown.Page.Locator("svg.timeline").CountAsync());
        // The inline style applied (its hash matched the policy): the release headings carry the border it draws.
        var border = await shown.Page.EvalOnSelectorAsync<string>("h2", "h => getComputedStyle(h).borderBottomStyle");
        Assert.Equal("solid", border);
        var box = await shown.Page.Locator("svg.timeline").First.BoundingBoxAsync();
        Assert.True(box is { Width: > 500, Height: > 200 }, $"the picture is {box?.Width}x{box?.Height}");
    }

    [Theory]
    [InlineData(0, 1, 30, 0, "planned")]
    [InlineData(0, 2, 9, 0, "planned")]
    [InlineData(0, 3, 0, 10, "planned")]
    [InlineData(0, 7, 30, 100, "planned")]
    [InlineData(1, 2, 12, 10, "planned")]
    [InlineData(1, 2, 45, 10, "observed")]
    [InlineData(1, 3, 45, 20, "observed")]
    public async Task The_picture_shows_the_share_at_each_time(int release, int minute, int second, double green, string source)
    {
        var shown = await Shown.OpenAsync(_browser.Instance, Html());
        var at = AtOffset(minute, second);

        // What the page draws: the block under the time's x, and how much of the plot's height green fills there.
        var drawn = await shown.Page.EvaluateAsync<JsonElement>(@"([index, iso]) => {
            const svg = document.querySelectorAll('svg.timeline')[index];
            const start = Date.parse(svg.dataset.start), end = Date.parse(svg.dataset.end), t = Date.parse(iso);
            const left = +svg.dataset.plotLeft, width = +svg.dataset.plotWidth, top = +svg.dataset.plotTop, height = +svg.dataset.plotHeight;
            const x = left + (t - start) / (end - start) * width;
            const hit = [...svg.querySelectorAll('g.segment')].find(g => { const b = g.querySelector('rect.green').getBBox(); return b.x <= x && x < b.x + b.width; });
            if (!hit) return null;
            const green = hit.querySelector('rect.green').getBBox(), blue = hit.querySelector('rect.blue').getBBox();
            return { green: green.height / height * 100, blue: blue.height / height * 100, bottom: green.y + green.height - top,
                     dataGreen: +hit.dataset.green, source: hit.dataset.source, fill: getComputedStyle(hit.querySelector('rect.green')).fill };
        }", new object[] { release, at.UtcDateTime.ToString("o", CultureInfo.InvariantCulture) });

        Assert.Equal(JsonValueKind.Object, drawn.ValueKind);
        Assert.Equal(green, drawn.GetProperty("green").GetDouble(), 1);
        Assert.Equal(100 - green, drawn.GetProperty("blue").GetDouble(), 1);
        Assert.Equal(green, drawn.GetProperty("dataGreen").GetDouble(), 1);
        Assert.Equal(200, drawn.GetProperty("bottom").GetDouble(), 1);
        Assert.Equal(source, drawn.GetProperty("source").GetString());
        Assert.Equal("rgb(45, 164, 78)", drawn.GetProperty("fill").GetString());
    }

    [Fact]
    public async Task Gates_and_the_rollback_are_marked_where_they_happened()
    {
        var shown = await Shown.OpenAsync(_browser.Instance, Html());

        var marks = await shown.Page.EvaluateAsync<JsonElement>(@"() => [...document.querySelectorAll('svg.timeline')].map(svg => {
            const start = Date.parse(svg.dataset.start), end = Date.parse(svg.dataset.end);
            const left = +svg.dataset.plotLeft, width = +svg.dataset.plotWidth;
            const at = el => { const b = el.querySelector('line').getBBox(); return (start + (b.x - left) / width * (end - start)); };
            return {
                gates: [...svg.querySelectorAll('g.gate')].map(g => ({ verdict: g.dataset.verdict, time: new Date(at(g)).toISOString(), shape: g.querySelector('circle') ? 'circle' : 'cross' })),
                rollback: [...svg.querySelectorAll('g.rollback')].map(r => ({ name: r.dataset.name, time: new Date(at(r)).toISOString(), text: r.textContent })),
            };
        })");

        var succeeded = marks[0];
        var pass = Assert.Single(succeeded.GetProperty("gates").EnumerateArray());
        Assert.Equal(("Pass", "circle"), (pass.GetProperty("verdict").GetString(), pass.GetProperty("shape").GetString()));
        AssertNear(AtOffset(1, 50), pass.GetProperty("time").GetDateTimeOffset());
        Assert.Empty(succeeded.GetProperty("rollback").EnumerateArray());

        var rolledBack = marks[1];
        var fail = Assert.Single(rolledBack.GetProperty("gates").EnumerateArray());
        Assert.Equal(("Fail", "cross"), (fail.GetProperty("verdict").GetString(), fail.GetProperty("shape").GetString()));
        AssertNear(AtOffset(3, 30), fail.GetProperty("time").GetDateTimeOffset());
        var rollback = Assert.Single(rolledBack.GetProperty("rollback").EnumerateArray());
        Assert.Equal("d-ROLLBACK3", rollback.GetProperty("name").GetString());
        Assert.Contains("rolled back: d-ROLLBACK3", rollback.GetProperty("text").GetString(), StringComparison.Ordinal);
        AssertNear(AtOffset(4), rollback.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_name_with_markup_stays_text()
    {
        var d = Succeeded();
        d.Service = "<img src=x onerror=console.error(1)><script>console.error(2)<\\u002fscript>";
        var shown = await Shown.OpenAsync(_browser.Instance, ReleaseReport.From(d).ToHtml());

        Assert.Empty(shown.Problems);
        Assert.Empty(shown.Requests);
        Assert.Equal(0, await shown.Page.Locator("img, script").CountAsync());
        Assert.Contains("<img src=x", await shown.Page.Locator("table.facts").InnerTextAsync(), StringComparison.Ordinal);
        var description = await shown.Page.Locator("svg.timeline desc").TextContentAsync();
        Assert.Contains("<script>console.error(2)", description, StringComparison.Ordinal);
    }

    // A block is a few pixels wide: its time is known to within the picture's resolution.
    private static void AssertNear(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True(Math.Abs((expected - actual).TotalSeconds) <= 2, $"expected {expected:HH:mm:ss}, drawn at {actual:HH:mm:ss.fff}");
}
