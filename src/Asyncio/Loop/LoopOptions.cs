using Microsoft.Extensions.Logging;

namespace Asyncio;

/// <summary>How the loop orders the steps of different tasks that are ready in the same iteration.</summary>
public enum Scheduling
{
    /// <summary>FIFO unless a seed is set (by <see cref="LoopOptions.Seed"/> or the <c>ASYNCIO_SEED</c> environment variable).</summary>
    Default,

    /// <summary>Strict FIFO, as asyncio. Nothing overrides it, not even <c>ASYNCIO_SEED</c>: use it in tests that assert cross-task order.</summary>
    Fifo,

    /// <summary>Seeded shuffle of the steps of different tasks (needs a seed; see <see cref="LoopOptions.Seed"/>).</summary>
    Seeded,
}

/// <summary>Settings of an <see cref="EventLoop"/>.</summary>
public sealed class LoopOptions
{
    /// <summary>
    /// The loop's clock. <see cref="TimeProvider.System"/> when null. Give a <see cref="VirtualClock"/> to run in virtual
    /// time: the clock then jumps straight to the next timer whenever the loop is idle.
    /// </summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>asyncio's debug mode. Null means: on when the environment variable <c>ASYNCIO_DEBUG</c> is 1 or true.</summary>
    public bool? Debug { get; init; }

    /// <summary>
    /// Seed of the seeded schedule: the steps of different tasks that are ready in the same iteration, and timers due
    /// at the same instant, run in an order shuffled by this seed (same seed, same schedule); the callbacks of one task
    /// or one future keep their order. Null: the <c>ASYNCIO_SEED</c> environment variable if set, else FIFO.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Ordering policy; <see cref="Scheduling.Fifo"/> wins over any seed.</summary>
    public Scheduling Scheduling { get; init; }

    /// <summary>Where the default exception handler writes; standard error when null.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Run each new task's first step synchronously inside <c>CreateTask</c> (asyncio's <c>eager_task_factory</c>).
    /// A task that finishes without suspending is then done when <c>CreateTask</c> returns and is never scheduled.
    /// </summary>
    public bool EagerTasks { get; init; }

    /// <summary>How long <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/> waits at exit for <c>ToThread</c> work still running (asyncio: 300 s).</summary>
    public TimeSpan ExecutorShutdownTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The seed actually used by a loop made with these options, or null for FIFO.</summary>
    internal int? EffectiveSeed()
    {
        if (Scheduling == Scheduling.Fifo)
        {
            return null;
        }

        if (Seed is int s)
        {
            return s;
        }

        string? env = Environment.GetEnvironmentVariable("ASYNCIO_SEED");
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (int.TryParse(env, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int parsed))
            {
                return parsed;
            }

            throw new FormatException($"ASYNCIO_SEED is '{env}', which is not a 32-bit integer. Set it to a number such as 42, or unset it.");
        }

        if (Scheduling == Scheduling.Seeded)
        {
            throw new ArgumentException("Scheduling.Seeded needs a seed: set LoopOptions.Seed or the ASYNCIO_SEED environment variable.");
        }

        return null;
    }

    internal bool EffectiveDebug()
    {
        if (Debug is bool d)
        {
            return d;
        }

        string? env = Environment.GetEnvironmentVariable("ASYNCIO_DEBUG");
        return env is not null && (env == "1" || env.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
