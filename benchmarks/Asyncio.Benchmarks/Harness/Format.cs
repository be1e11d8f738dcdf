using System.Globalization;

namespace Asyncio.Benchmarks.Harness;

/// <summary>Number formatting: machine-readable for RESULT lines, short for the table.</summary>
internal static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A RESULT value: plain decimal notation, no exponent, invariant culture.</summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return "NaN";
        }

        return Math.Abs(v) >= 1000 ? v.ToString("F0", Inv) : v.ToString("0.####", Inv);
    }

    public static string Fixed(double v, int decimals) => v.ToString("F" + decimals.ToString(Inv), Inv);

    public static string Rate(double v) => Math.Abs(v) switch
    {
        >= 1e6 => Fixed(v / 1e6, 2) + " M/s",
        >= 1e3 => Fixed(v / 1e3, 1) + " k/s",
        _ => Fixed(v, 0) + " /s",
    };

    public static string Bytes(double v) => Math.Abs(v) switch
    {
        < 0.05 => "0 B",
        < 10 => Fixed(v, 2) + " B",
        _ => Fixed(v, 0) + " B",
    };

    public static string Ratio(double v) => double.IsNaN(v) || double.IsInfinity(v) ? "–" : v == 0 ? "0" : Math.Abs(v) switch
    {
        < 0.01 => Fixed(v, 4),
        < 10 => Fixed(v, 2),
        _ => Fixed(v, 1),
    };

    public static string Count(long n) => n.ToString("N0", Inv);
}
