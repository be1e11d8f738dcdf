using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A reusable, loop-native FIFO of waiting tasks: the hand-off primitive locks, conditions, semaphores and queues
/// stand on. <see cref="WaitAsync"/> parks the current task without allocating; <see cref="WakeOne"/> and
/// <see cref="WakeAll"/> make parked tasks resume on the next iteration, in the order they arrived. A task
/// cancelled while parked leaves the queue and resumes with <see cref="CancelledError"/>. Loop thread only.
/// </summary>
/// <remarks>
/// A woken task that is cancelled before it runs still resumes with <see cref="CancelledError"/>, and its wake-up
/// is spent: a primitive that hands out something with the wake-up (a lock, a permit) must pass it on when the
/// waiter's await throws.
/// </remarks>
public sealed class WaitQueue
{
    private struct Entry
    {
        public object Target;   // a parked AioTask, or the Action continuation of plain .NET async code
        public long Seq;
    }

    private Entry[] _ring = new Entry[8];
    private int _head;
    private int _count;      // entries in the ring, stale ones included
    private int _waiting;    // live entries
    private long _nextSeq = 1;

    /// <summary>How many tasks are parked (cancelled ones excluded).</summary>
    public int Count => _waiting;

    /// <summary>Parks the current task until <see cref="WakeOne"/> or <see cref="WakeAll"/> reaches it.</summary>
    public WaitAwaitable WaitAsync() => new(this);

    /// <summary>Wakes the longest-waiting task; false if none waits. It resumes on the next iteration.</summary>
    public bool WakeOne()
    {
        while (_count > 0)
        {
            Entry entry = TakeHead();
            if (TryWake(in entry))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Wakes every parked task, in arrival order; returns how many.</summary>
    public int WakeAll()
    {
        int woken = 0;
        int n = _count;   // tasks that park while waking (none can: wake-ups are queued) would wait for the next call
        for (int i = 0; i < n && _count > 0; i++)
        {
            Entry entry = TakeHead();
            if (TryWake(in entry))
            {
                woken++;
            }
        }

        return woken;
    }

    internal void Park(AioTask task)
    {
        long seq = _nextSeq++;
        Push(task, seq);
        task.ParkIn(this, seq);
    }

    internal void ParkContinuation(Action continuation)
    {
        Push(continuation, _nextSeq++);
    }

    /// <summary>A parked task was cancelled: its entry is now stale (skipped when it reaches the head).</summary>
    internal void Abandon()
    {
        Debug.Assert(_waiting > 0);
        _waiting--;
        if (_count > 32 && _count > _waiting * 2)
        {
            Compact();
        }
    }

    private void Push(object target, long seq)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }

        ref Entry slot = ref _ring[(_head + _count) & (_ring.Length - 1)];
        slot.Target = target;
        slot.Seq = seq;
        _count++;
        _waiting++;
    }

    private Entry TakeHead()
    {
        ref Entry slot = ref _ring[_head];
        Entry entry = slot;
        slot = default;
        _head = (_head + 1) & (_ring.Length - 1);
        _count--;
        return entry;
    }

    private bool TryWake(in Entry entry)
    {
        switch (entry.Target)
        {
            case AioTask task when IsLive(task, entry.Seq):
                _waiting--;
                task.WakeFromWait();
                return true;
            case Action continuation:
                _waiting--;
                EventLoop loop = EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("WaitQueue.WakeOne");
                loop._loopDrivenForeign--;
                loop.EnqueueReady(EventLoop.InvokeActionCallback, continuation);
                return true;
            default:
                return false;
        }
    }

    private bool IsLive(AioTask task, long seq) => ReferenceEquals(task._waiter, this) && task._waitSeq == seq;

    private bool IsLive(in Entry e) => e.Target is not AioTask t || IsLive(t, e.Seq);

    private void Grow()
    {
        var bigger = new Entry[_ring.Length * 2];
        int mask = _ring.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            bigger[i] = _ring[(_head + i) & mask];
        }

        _ring = bigger;
        _head = 0;
    }

    private void Compact()
    {
        int mask = _ring.Length - 1;
        var kept = new Entry[_ring.Length];
        int k = 0;
        for (int i = 0; i < _count; i++)
        {
            Entry e = _ring[(_head + i) & mask];
            if (IsLive(in e))
            {
                kept[k++] = e;
            }
        }

        _ring = kept;
        _head = 0;
        _count = k;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<WaitQueue waiting={_waiting}>";

    /// <summary>What <see cref="WaitAsync"/> returns.</summary>
    public readonly struct WaitAwaitable
    {
        private readonly WaitQueue _queue;

        internal WaitAwaitable(WaitQueue queue) => _queue = queue;

        /// <summary>Gets the awaiter.</summary>
        public WaitAwaiter GetAwaiter() => new(_queue);
    }

    /// <summary>Awaits a place in a <see cref="WaitQueue"/>.</summary>
    public readonly struct WaitAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly WaitQueue _queue;

        internal WaitAwaiter(WaitQueue queue) => _queue = queue;

        /// <summary>Always false: waiting always parks until a wake-up.</summary>
        public bool IsCompleted => false;

        /// <summary>Returns once woken; throws <see cref="CancelledError"/> if the task was cancelled while parked.</summary>
        public void GetResult() => AioTask.ThrowIfResumedWithError();

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _queue.Park(task);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Plain .NET async code waits in the queue; its continuation runs on the loop once woken.</summary>
        public void UnsafeOnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            EventLoop loop = EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("WaitQueue.WaitAsync");
            loop._loopDrivenForeign++;
            _queue.ParkContinuation(continuation);
        }
    }
}
