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

    /// <summary>
    /// Debug mode: a callback or task step that runs longer than this is reported as slow, with the task, its coroutine
    /// and the source lines the step ran between (asyncio's <c>slow_callback_duration</c>; default 100 ms).
    /// </summary>
    public TimeSpan SlowCallbackDuration { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Makes lost errors fail the run: when the loop reports an exception nobody retrieved, a task destroyed while
    /// pending, or (debug mode) a coroutine never awaited, <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/>
    /// throws <see cref="LostErrorsException"/> listing them once the loop is closed. Meant for tests.
    /// </summary>
    public bool StrictExceptions { get; init; }

    /// <summary>
    /// Starts a watchdog thread that reports, while it lasts, a callback or task step that keeps the loop from
    /// returning to its wait step for longer than this (and again when it ends). Null: the
    /// <c>ASYNCIO_STALL_MS</c> environment variable if set, else off. Must be at least 1 ms.
    /// </summary>
    public TimeSpan? StallThreshold { get; init; }

    /// <summary>
    /// Lets <c>aio ps &lt;pid&gt;</c> and <c>aio pstree &lt;pid&gt;</c> list this loop's tasks, through a Unix socket in
    /// the temp directory that only the same user may connect to. Null: on when the environment variable
    /// <c>ASYNCIO_INSPECT</c> is 1 or true.
    /// </summary>
    public bool? EnableInspection { get; init; }

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

    internal bool EffectiveDebug() => Debug ?? EnvironmentFlag("ASYNCIO_DEBUG");

    internal bool EffectiveInspection() => EnableInspection ?? EnvironmentFlag("ASYNCIO_INSPECT");

    /// <summary>The stall threshold in use, or null when the watchdog is off.</summary>
    internal TimeSpan? EffectiveStallThreshold()
    {
        if (StallThreshold is TimeSpan t)
        {
            return t >= TimeSpan.FromMilliseconds(1)
                ? t
                : throw new ArgumentOutOfRangeException(nameof(StallThreshold), t, "LoopOptions.StallThreshold must be at least 1 ms; leave it null to turn the watchdog off.");
        }

        string? env = Environment.GetEnvironmentVariable("ASYNCIO_STALL_MS");
        if (string.IsNullOrWhiteSpace(env))
        {
            return null;
        }

        if (int.TryParse(env, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int ms) && ms >= 1)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        throw new FormatException($"ASYNCIO_STALL_MS is '{env}'; set it to a whole number of milliseconds (at least 1), or unset it.");
    }

    internal void Validate()
    {
        if (SlowCallbackDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SlowCallbackDuration), SlowCallbackDuration, "LoopOptions.SlowCallbackDuration cannot be negative.");
        }

        if (ExecutorShutdownTimeout < TimeSpan.Zero && ExecutorShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutorShutdownTimeout), ExecutorShutdownTimeout, "LoopOptions.ExecutorShutdownTimeout cannot be negative (use Timeout.InfiniteTimeSpan to wait without limit).");
        }
    }

    private static bool EnvironmentFlag(string name)
    {
        string? env = Environment.GetEnvironmentVariable(name);
        return env is not null && (env == "1" || env.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
