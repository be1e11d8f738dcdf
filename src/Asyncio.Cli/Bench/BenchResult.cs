using System.Globalization;
using System.Text.RegularExpressions;

namespace Asyncio.Cli.Bench;

/// <summary>One figure: the median of the repetitions and their range, from a <c>RESULT</c> line.</summary>
internal sealed record BenchFigure(string Workload, string Runtime, string Metric, double Value, double Min, double Max);

/// <summary>Parses the <c>RESULT workload=W runtime=R metric=M value=V</c> lines of the harness and of the peer scripts.</summary>
internal static partial class ResultLines
{
    [GeneratedRegex(@"^RESULT workload=(?<w>\S+) runtime=(?<r>\S+) metric=(?<m>\S+) value=(?<v>\S+)\s*$")]
    private static partial Regex Line();

    public static IReadOnlyList<BenchFigure> Parse(IEnumerable<string> lines)
    {
        var raw = new Dictionary<(string W, string R, string M), double>();
        foreach (string line in lines)
        {
            Match m = Line().Match(line);
            if (m.Success && double.TryParse(m.Groups["v"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                raw[(m.Groups["w"].Value, m.Groups["r"].Value, m.Groups["m"].Value)] = v;
            }
        }

        var figures = new List<BenchFigure>();
        foreach (var ((w, r, metric), value) in raw)
        {
            if (metric.EndsWith("_min", StringComparison.Ordinal) || metric.EndsWith("_max", StringComparison.Ordinal))
            {
                continue;
            }

            double min = raw.GetValueOrDefault((w, r, metric + "_min"), value);
            double max = raw.GetValueOrDefault((w, r, metric + "_max"), value);
            figures.Add(new BenchFigure(w, r, metric, value, min, max));
        }

        return figures;
    }
}
