using System.Globalization;

namespace Asyncio.Cli.Infrastructure;

/// <summary>Human-readable numbers: bytes (binary units), durations, rates, counts. Invariant culture.</summary>
internal static class Units
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Bytes(double b)
    {
        if (double.IsNaN(b))
        {
            return "n/a";
        }

        double a = Math.Abs(b);
        return a < 1024 ? string.Format(Inv, "{0:0} B", b)
            : a < 1024 * 1024 ? string.Format(Inv, "{0:0.#} KiB", b / 1024)
            : a < 1024.0 * 1024 * 1024 ? string.Format(Inv, "{0:0.#} MiB", b / (1024 * 1024))
            : string.Format(Inv, "{0:0.##} GiB", b / (1024.0 * 1024 * 1024));
    }

    public static string Nanoseconds(double ns) =>
        double.IsNaN(ns) ? "n/a"
        : ns < 1_000 ? string.Format(Inv, "{0:0} ns", ns)
        : ns < 1_000_000 ? string.Format(Inv, "{0:0.#} µs", ns / 1e3)
        : ns < 1e9 ? string.Format(Inv, "{0:0.#} ms", ns / 1e6)
        : string.Format(Inv, "{0:0.##} s", ns / 1e9);

    public static string Milliseconds(double ms) => Nanoseconds(ms * 1e6);

    public static string Seconds(double s) => string.Format(Inv, "{0:0.00} s", s);

    public static string Rate(double perSecond) =>
        double.IsNaN(perSecond) ? "n/a"
        : perSecond >= 1e6 ? string.Format(Inv, "{0:0.##} M/s", perSecond / 1e6)
        : perSecond >= 1e3 ? string.Format(Inv, "{0:0.#} k/s", perSecond / 1e3)
        : string.Format(Inv, "{0:0} /s", perSecond);

    public static string Count(double n) => string.Format(Inv, "{0:N0}", n);

    public static string Ratio(double r) =>
        double.IsNaN(r) || double.IsInfinity(r) ? "n/a"
        : r >= 100 ? string.Format(Inv, "{0:N0}×", r)
        : r >= 10 ? string.Format(Inv, "{0:0}×", r)
        : string.Format(Inv, "{0:0.#}×", r);

    public static string Percent(double fraction) => string.Format(Inv, "{0:0.#}%", fraction * 100);

    public static string Format(FormattableString s) => s.ToString(Inv);
}
