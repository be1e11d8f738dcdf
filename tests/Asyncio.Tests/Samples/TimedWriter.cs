using System.Text;

namespace Asyncio.Tests.Samples;

/// <summary>Records each line written with the loop time at which it was written (null outside a running loop).</summary>
public sealed class TimedWriter : TextWriter
{
    private readonly StringBuilder _line = new();

    public List<(double? Time, string Text)> Lines { get; } = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            Lines.Add((EventLoop.Current?.Time(), _line.ToString().TrimEnd('\r')));
            _line.Clear();
        }
        else
        {
            _line.Append(value);
        }
    }

    /// <summary>"t: text" per line, with t rounded to milliseconds ("-" outside a loop).</summary>
    public string[] Timeline() => Lines
        .Select(l => $"{(l.Time is double t ? Math.Round(t, 3).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")}: {l.Text}")
        .ToArray();
}
