using System.Globalization;
using System.Net;
using System.Text;

namespace Reliability.Tests;

/// <summary>A small self-contained SVG line chart of a run's samples (no plotting library: the report is checked in as is).</summary>
public static class TimelinePlot
{
    private const int Width = 900;
    private const int Height = 360;
    private const int Left = 60;
    private const int Right = 70;
    private const int Top = 40;
    private const int Bottom = 50;

    public static string Render(string title, IReadOnlyList<PipelineSample> samples, IReadOnlyList<InjectedFault> faults)
    {
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" font-family="sans-serif" font-size="11">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="18" text-anchor="middle" font-size="13">{WebUtility.HtmlEncode(title)}</text>""");
        if (samples.Count < 2)
            return svg.Append("</svg>").ToString();

        var t0 = samples[0].At.TotalSeconds;
        var span = Math.Max(1, samples[^1].At.TotalSeconds - t0);
        var countMax = Math.Max(1, samples.Max(s => Math.Max(s.Published, s.Scored)));
        var depthMax = Math.Max(1, samples.Max(s => Math.Max(s.TotalDepth, s.TotalBacklog)));
        double X(double seconds) => Left + (seconds - t0) / span * (Width - Left - Right);
        double YLeft(double value) => Height - Bottom - value / countMax * (Height - Top - Bottom);
        double YRight(double value) => Height - Bottom - value / depthMax * (Height - Top - Bottom);

        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Height - Bottom}" x2="{Width - Right}" y2="{Height - Bottom}" stroke="black"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Height - Bottom}" stroke="black"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Width - Right}" y1="{Top}" x2="{Width - Right}" y2="{Height - Bottom}" stroke="black"/>""");
        for (var i = 0; i <= 4; i++)
        {
            var y = Height - Bottom - i / 4.0 * (Height - Top - Bottom);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Left - 5}" y="{y + 4:0}" text-anchor="end">{countMax * i / 4:N0}</text>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Width - Right + 5}" y="{y + 4:0}">{depthMax * i / 4:N0}</text>""");
            var seconds = span * i / 4;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{X(t0 + seconds):0}" y="{Height - Bottom + 15}" text-anchor="middle">{seconds:0} s</text>""");
        }

        foreach (var fault in faults)
        {
            var x = X(fault.At.TotalSeconds);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{x:0.0}" y1="{Top}" x2="{x:0.0}" y2="{Height - Bottom}" stroke="#bbb" stroke-dasharray="3,3"><title>{WebUtility.HtmlEncode(fault.Name)}</title></line>""");
        }

        Series(svg, samples, s => X(s.At.TotalSeconds), s => YLeft(s.Published), "#1f77b4");
        Series(svg, samples, s => X(s.At.TotalSeconds), s => YLeft(s.Scored), "#2ca02c");
        Series(svg, [.. samples.Where(s => s.DepthKnown)], s => X(s.At.TotalSeconds), s => YRight(s.TotalDepth), "#d62728");
        Series(svg, samples, s => X(s.At.TotalSeconds), s => YRight(s.TotalBacklog), "#ff7f0e");

        var legend = new[] { ("listings accepted (left)", "#1f77b4"), ("listings scored (left)", "#2ca02c"), ("queue depth, ready (right)", "#d62728"), ("outbox backlog (right)", "#ff7f0e"), ("fault", "#bbb") };
        for (var i = 0; i < legend.Length; i++)
        {
            var x = Left + i * 165;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{Height - 18}" width="12" height="4" fill="{legend[i].Item2}"/><text x="{x + 16}" y="{Height - 13}">{legend[i].Item1}</text>""");
        }

        return svg.Append("</svg>").ToString();
    }

    private static void Series(StringBuilder svg, IReadOnlyList<PipelineSample> samples, Func<PipelineSample, double> x, Func<PipelineSample, double> y, string color)
    {
        var points = string.Join(' ', samples.Select(s => string.Create(CultureInfo.InvariantCulture, $"{x(s):0.0},{y(s):0.0}")));
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>""");
    }
}
