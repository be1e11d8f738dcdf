namespace Asyncio;

/// <summary>The state bits of futures, tasks and coroutine frames, packed in one int.</summary>
internal static class FutureFlags
{
    public const int StateMask = 0b11;
    public const int Pending = 0;
    public const int Succeeded = 1;
    public const int Failed = 2;
    public const int Cancelled = 3;

    /// <summary>The result or exception was observed (await, Result, Exception, Cancel); no "never retrieved" report.</summary>
    public const int Retrieved = 1 << 2;

    /// <summary>A task: its first step has run.</summary>
    public const int Started = 1 << 3;

    /// <summary>A task: throw CancelledError into the coroutine at the next step (asyncio's <c>_must_cancel</c>).</summary>
    public const int MustCancel = 1 << 4;

    /// <summary>A task: it was woken from a loop-native wait by cancellation; its next resume throws CancelledError.</summary>
    public const int ResumeCancelled = 1 << 5;

    /// <summary>A coroutine frame: awaited or wrapped in a task already (a coroutine is consumed once).</summary>
    public const int Claimed = 1 << 6;

    /// <summary>A coroutine frame that runs as a task (it is the task's root frame).</summary>
    public const int IsTask = 1 << 7;

    /// <summary>A coroutine frame whose method returned.</summary>
    public const int FrameSucceeded = 1 << 8;

    /// <summary>A coroutine frame whose method threw; the exception is in <c>_outcome</c>.</summary>
    public const int FrameFailed = 1 << 9;

    public const int FrameDone = FrameSucceeded | FrameFailed;

    /// <summary>A task: a <see cref="WaitQueue"/> woke it; its awaiter settles the queue's in-flight count on resume.</summary>
    public const int WokenFromQueue = 1 << 10;

    /// <summary>A cancelled future: its saved CancelledError was handed to an observer; later ones get fresh copies.</summary>
    public const int CancelledErrorTaken = 1 << 11;
}
