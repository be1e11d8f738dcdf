using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Asyncio.Tests;

/// <summary>Helpers for the ports of CPython's loop, future and runner tests.</summary>
internal static class LoopRun
{
    /// <summary>Generous bound for anything that should take microseconds (a hung loop fails the test instead).</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Generous bound for waiting on another thread.</summary>
    public static readonly TimeSpan ThreadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Virtual time, strict FIFO: the options every deterministic test uses.</summary>
    public static LoopOptions Virtual(ILogger? logger = null) =>
        new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, Logger = logger };

    public static EventLoop NewLoop(ILogger? logger = null) => new(Virtual(logger));

    /// <summary>CPython's <c>test_utils.run_briefly</c>: runs a task that finishes at once, so every callback already queued runs.</summary>
    public static void RunBriefly(EventLoop loop) => loop.RunUntilComplete(Once());

    private static async Coroutine Once()
    {
    }

    /// <summary>
    /// Runs <paramref name="body"/> (which runs <paramref name="loop"/>) on a thread of its own and waits at most
    /// <see cref="HangTimeout"/>. If the body hangs, the loop is stopped from outside and the test fails, naming
    /// <paramref name="what"/>. Exceptions of the body are rethrown.
    /// </summary>
    public static void WithHangGuard(EventLoop loop, string what, Action body)
    {
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "loop under test" };
        thread.Start();
        if (!thread.Join(HangTimeout))
        {
            // Rescue the loop thread so it does not stay blocked for the rest of the run.
            for (int i = 0; i < 100 && thread.IsAlive; i++)
            {
                try
                {
                    loop.CallSoonThreadSafe(loop.Stop);
                }
                catch (InvalidOperationException)
                {
                }

                thread.Join(TimeSpan.FromMilliseconds(100));
            }

            Assert.Fail($"{what}: did not return within {HangTimeout.TotalSeconds} s (the loop hung and was stopped from outside).");
        }

        error?.Throw();
    }

    /// <summary>Calls <paramref name="action"/> on a new thread and returns what it threw (or null).</summary>
    public static Exception? OnOtherThread(Action action)
    {
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                caught = e;
            }
        })
        { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(ThreadTimeout), "the other thread did not finish");
        return caught;
    }

    /// <summary>Asserts that <paramref name="action"/> throws exactly <typeparamref name="T"/> whose message contains every fragment.</summary>
    public static T Throws<T>(Action action, params string[] fragments)
        where T : Exception
    {
        var e = Assert.Throws<T>(action);
        foreach (string f in fragments)
        {
            Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
        }

        return e;
    }

    /// <summary>Like <see cref="Throws{T}(Action, string[])"/> but accepts a derived type.</summary>
    public static T ThrowsAny<T>(Action action, params string[] fragments)
        where T : Exception
    {
        var e = Assert.ThrowsAny<T>(action);
        foreach (string f in fragments)
        {
            Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
        }

        return e;
    }
}

/// <summary>A tiny capturing logger for the default exception handler.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    /// <summary>When set, <see cref="Log{TState}"/> throws it (a broken default handler).</summary>
    public Exception? ThrowOnLog { get; set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (ThrowOnLog is { } e)
        {
            throw e;
        }

        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
            Monitor.PulseAll(_entries);
        }
    }

    /// <summary>Blocks until an entry satisfies <paramref name="match"/> (for reports made by other threads); false on timeout.</summary>
    public bool WaitFor(Func<(LogLevel Level, string Message, Exception? Exception), bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_entries)
        {
            while (!_entries.Any(match))
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_entries, left))
                {
                    return _entries.Any(match);
                }
            }

            return true;
        }
    }
}
