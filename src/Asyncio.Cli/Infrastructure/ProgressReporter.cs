using System.Diagnostics;
using Spectre.Console;

namespace Asyncio.Cli.Infrastructure;

/// <summary>
/// Live progress of a long command, always on stderr (stdout carries only the result, e.g. the <c>--json</c> document):
/// a Spectre.Console spinner with the current step when stderr is a terminal, plain time-stamped lines otherwise.
/// </summary>
internal abstract class ProgressReporter
{
    /// <summary>Picks the spinner when <paramref name="error"/> is the process's own stderr and it is a terminal.</summary>
    public static ProgressReporter For(TextWriter error, bool quiet = false)
    {
        if (quiet)
        {
            return new Silent();
        }

        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
                        && Environment.GetEnvironmentVariable("TERM") is not "dumb";
        return terminal ? new Spinner() : new Plain(error);
    }

    /// <summary>Runs <paramref name="work"/> while showing progress.</summary>
    public abstract T Run<T>(string title, Func<T> work);

    /// <summary>The step now running.</summary>
    public abstract void Step(string text);

    /// <summary>A finished step and what it found.</summary>
    public abstract void Done(string text);

    /// <summary>A warning, shown whatever the mode.</summary>
    public abstract void Warn(string text);

    private sealed class Silent : ProgressReporter
    {
        public override T Run<T>(string title, Func<T> work) => work();

        public override void Step(string text)
        {
        }

        public override void Done(string text)
        {
        }

        public override void Warn(string text)
        {
        }
    }

    private sealed class Plain(TextWriter error) : ProgressReporter
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public override T Run<T>(string title, Func<T> work)
        {
            Line(title);
            return work();
        }

        public override void Step(string text) => Line(text + " ...");

        public override void Done(string text) => Line("  " + text);

        public override void Warn(string text) => Line("warning: " + text);

        private void Line(string text)
        {
            lock (error)
            {
                error.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {text}");
                error.Flush();
            }
        }
    }

    private sealed class Spinner : ProgressReporter
    {
        private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes,
        });

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private StatusContext? _context;

        public override T Run<T>(string title, Func<T> work)
        {
            _console.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
            return _console.Status()
                .Spinner(Spectre.Console.Spinner.Known.Dots)
                .Start(title, ctx =>
                {
                    _context = ctx;
                    try
                    {
                        return work();
                    }
                    finally
                    {
                        _context = null;
                    }
                });
        }

        public override void Step(string text) =>
            _context?.Status($"[yellow]{_clock.Elapsed.TotalSeconds:0.0} s[/] {Markup.Escape(text)}");

        public override void Done(string text) =>
            _console.MarkupLine($"[green]✓[/] [grey]{_clock.Elapsed.TotalSeconds,5:0.0} s[/] {Markup.Escape(text)}");

        public override void Warn(string text) => _console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(text)}");
    }
}
