namespace Asyncio;

/// <summary>
/// The tasks of one process, as <c>aio ps</c> and <c>aio pstree</c> show them (see
/// <see cref="ProcessInspector.Query(int, TimeSpan?)"/>). A snapshot: it may be a moment old when read.
/// </summary>
/// <param name="ProcessId">The inspected process.</param>
/// <param name="Loops">Its event loops that enabled inspection.</param>
public sealed record ProcessSnapshot(int ProcessId, IReadOnlyList<LoopSnapshot> Loops);

/// <summary>One event loop in a <see cref="ProcessSnapshot"/>.</summary>
/// <param name="Index">The loop's number in the process (in creation order).</param>
/// <param name="ThreadId">The managed id of the thread running it; 0 when it is not running.</param>
/// <param name="Responsive">
/// True when the loop itself took the snapshot between two callbacks. False when it did not answer in time (it is
/// stalled: see <see cref="Running"/>) and the snapshot was read from outside, where a task may be missing or torn.
/// </param>
/// <param name="Time">The loop's clock, in seconds (virtual for a virtual-time loop).</param>
/// <param name="Running">When not responsive: the callback that keeps it busy, if known.</param>
/// <param name="Tasks">Its pending tasks.</param>
public sealed record LoopSnapshot(int Index, int ThreadId, bool Responsive, double Time, string? Running, IReadOnlyList<TaskSnapshot> Tasks);

/// <summary>One pending task in a <see cref="LoopSnapshot"/>.</summary>
/// <param name="Id">Identifies the task within the snapshot (and, while it lives, across snapshots).</param>
/// <param name="Name">The task's name.</param>
/// <param name="State">"pending" or "cancelling" (done tasks are not listed).</param>
/// <param name="AgeSeconds">Seconds since the task was created, on the loop's clock.</param>
/// <param name="Coroutine">The task's coroutine (or function).</param>
/// <param name="Stack">Its coroutine chain, innermost first, as "Method in file:line N".</param>
/// <param name="Awaits">What it waits for: a task, a future, a lock, a queue, a sleep until t, ...</param>
/// <param name="AwaitedBy">The ids of the tasks waiting for it (directly, or through a gather, shield, wait or task group).</param>
public sealed record TaskSnapshot(
    long Id, string Name, string State, double AgeSeconds, string Coroutine, IReadOnlyList<string> Stack, string Awaits, IReadOnlyList<long> AwaitedBy);
