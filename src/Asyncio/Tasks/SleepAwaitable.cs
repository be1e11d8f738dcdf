using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>What <see cref="Aio.Sleep(double)"/> returns: await it to let the loop run other work for a while.</summary>
public readonly struct SleepAwaitable
{
    private readonly double _seconds;   // 0: a bare yield; +infinity: until cancelled

    internal SleepAwaitable(double seconds) => _seconds = seconds;

    /// <summary>Gets the awaiter.</summary>
    public SleepAwaiter GetAwaiter() => new(_seconds);
}

/// <summary>
/// Awaits a sleep. In a coroutine the task itself waits on a loop timer (nothing allocated); a cancel ends the sleep
/// at once with <see cref="CancelledError"/>.
/// </summary>
public readonly struct SleepAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly double _seconds;

    internal SleepAwaiter(double seconds) => _seconds = seconds;

    /// <summary>
    /// Always false: even a zero sleep yields once to the loop, as asyncio's <c>sleep(0)</c>. Throws when no loop runs
    /// on this thread (here, rather than in OnCompleted, where an exception would end the process).
    /// </summary>
    public bool IsCompleted => EventLoop.Current is not null ? false : throw ThrowHelper.NoRunningLoop("Awaiting Aio.Sleep");

    /// <summary>Ends the sleep; throws <see cref="CancelledError"/> if the task was cancelled meanwhile.</summary>
    public void GetResult() => AioTask.ThrowIfResumedWithError();

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame)
    {
        if (_seconds <= 0)
        {
            task.Yield();
        }
        else if (double.IsPositiveInfinity(_seconds))
        {
            task.SleepForever();
        }
        else
        {
            EventLoop loop = task._loop!;
            task.SleepUntil(loop.DueTicksAfter(_seconds));
        }
    }

    /// <inheritdoc/>
    public void OnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ExecutionContext? context = ExecutionContext.Capture();
        UnsafeOnCompleted(context is null ? continuation : () => ExecutionContext.Run(context, static s => ((Action)s!)(), continuation));
    }

    /// <summary>Plain .NET async code sleeps on the loop's clock; its continuation runs on the loop.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        EventLoop loop = EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("Aio.Sleep");
        loop.SleepForeign(_seconds, continuation);
    }
}
