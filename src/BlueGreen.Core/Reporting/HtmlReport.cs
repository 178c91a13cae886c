using System.Net;

namespace BlueGreen.Core.Reporting;

/// <summary>A report as one self-contained HTML page.</summary>
internal static class HtmlReport
{
    public static string Render(ReleaseReport report) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Release report</title></head><body><pre>" + WebUtility.HtmlEncode(report.ToMarkdown()) + "</pre></body></html>";
}
