namespace Asyncio.Hosting;

/// <summary>
/// Settings of the hosted event loop. Bound from the configuration section <c>Asyncio:EventLoop</c>
/// (<see cref="ConfigurationSection"/>) when the host has an <c>IConfiguration</c>, then changed by the delegate given
/// to <see cref="EventLoopServiceCollectionExtensions.AddEventLoop(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{EventLoopHostOptions}?)"/>.
/// </summary>
/// <example>
/// <code>
/// // appsettings.json
/// { "Asyncio": { "EventLoop": { "Debug": true, "Seed": 42 } } }
/// </code>
/// </example>
public sealed class EventLoopHostOptions
{
    /// <summary>The configuration section the options are bound from: <c>Asyncio:EventLoop</c>.</summary>
    public const string ConfigurationSection = "Asyncio:EventLoop";

    /// <summary>asyncio's debug mode; null: on when the environment variable <c>ASYNCIO_DEBUG</c> is 1 or true.</summary>
    public bool? Debug { get; set; }

    /// <summary>Seed of a seeded schedule (see <see cref="LoopOptions.Seed"/>); null: <c>ASYNCIO_SEED</c> if set, else FIFO.</summary>
    public int? Seed { get; set; }

    /// <summary>Ordering policy of the loop (see <see cref="LoopOptions.Scheduling"/>).</summary>
    public Scheduling Scheduling { get; set; }

    /// <summary>Run each new task's first step inside <c>CreateTask</c> (asyncio's <c>eager_task_factory</c>).</summary>
    public bool EagerTasks { get; set; }

    /// <summary>
    /// Run the loop in virtual time (a new <see cref="VirtualClock"/>): for tests of a hosted app. Ignored when
    /// <see cref="Clock"/> is set.
    /// </summary>
    public bool UseVirtualClock { get; set; }

    /// <summary>The loop's clock, set in code (not bound from configuration); <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>Name of the loop's thread. Default "Asyncio event loop".</summary>
    public string ThreadName { get; set; } = "Asyncio event loop";

    /// <summary>
    /// Stop the application when the main coroutine returns, as a program ends when asyncio's <c>main()</c> returns.
    /// Default true. When false the loop keeps serving other services until the host stops.
    /// </summary>
    public bool StopApplicationWhenMainCompletes { get; set; } = true;

    /// <summary>
    /// The process exit code (<see cref="Environment.ExitCode"/>) set when the main coroutine fails or is cancelled
    /// before the host stops. Default 1; 0 leaves the exit code alone.
    /// </summary>
    public int FailureExitCode { get; set; } = 1;

    /// <summary>Debug mode: a step that runs longer than this is logged as slow (see <see cref="LoopOptions.SlowCallbackDuration"/>). Default 100 ms.</summary>
    public TimeSpan SlowCallbackDuration { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Stall watchdog threshold (see <see cref="LoopOptions.StallThreshold"/>); null: <c>ASYNCIO_STALL_MS</c> if set, else off.</summary>
    public TimeSpan? StallThreshold { get; set; }

    /// <summary>Let <c>aio ps</c>/<c>aio pstree</c> list the loop's tasks (see <see cref="LoopOptions.EnableInspection"/>); null: <c>ASYNCIO_INSPECT</c>.</summary>
    public bool? EnableInspection { get; set; }

    /// <summary>How long the loop waits at shutdown for <c>ToThread</c> work still running. Default 30 s.</summary>
    public TimeSpan ExecutorShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
