using System.Diagnostics;
using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// A reusable, loop-native FIFO of waiting tasks: the hand-off primitive that locks, conditions, semaphores and queues
/// stand on. <see cref="WaitAsync"/> parks the current task without allocating; <see cref="WakeOne"/> and
/// <see cref="WakeAll"/> make parked tasks resume on the next iteration, in the order they arrived. A task cancelled
/// while parked leaves the queue and resumes with <see cref="CancelledError"/>; a cancelled
/// <see cref="CancellationToken"/> makes it resume with <see cref="OperationCanceledException"/>.
/// Bound to the loop it is first used on; loop thread only.
/// </summary>
/// <remarks>
/// A woken task stays counted in <see cref="InFlight"/> until it resumes. If it is cancelled in between, its await
/// still throws, and the wake-up it received is lost unless the primitive passes it on: right after such an await
/// throws, <see cref="ResumedAfterWake"/> is true (asyncio's "a cancelled waiter that was already woken passes the
/// wake-up on to the next waiter").
/// </remarks>
public sealed class WaitQueue : IDescribedCallback
{
    private struct Entry
    {
        public object Target;   // a parked AioTask, or a ForeignWaiter (plain .NET async code)
        public long Seq;
    }

    private EventLoop? _loop;
    private readonly string? _waitsFor;
    private Entry[] _ring = new Entry[4];
    private int _head;
    private int _count;      // entries in the ring, stale ones included
    private int _waiting;    // live entries
    private int _inFlight;   // woken, not resumed yet
    private long _nextSeq = 1;

    /// <summary>
    /// For <see cref="WakeOneChecked"/>: what must still hold when the woken waiter resumes; null for other queues.
    /// </summary>
    private readonly IResumeCondition? _resumeCondition;

    /// <summary>A <see cref="WakeOneChecked"/> callback is in the ready queue (at most one at a time).</summary>
    private bool _checkedWakeQueued;

    /// <summary>Creates an empty queue.</summary>
    public WaitQueue()
    {
    }

    /// <summary>A queue whose waiters wait for <paramref name="waitsFor"/> (e.g. "AsyncLock.AcquireAsync"), as reports say.</summary>
    internal WaitQueue(string waitsFor) => _waitsFor = waitsFor;

    /// <summary>
    /// A queue for <see cref="WakeOneChecked"/>: a waiter it wakes resumes only if <paramref name="resumeCondition"/>
    /// says so right before it runs.
    /// </summary>
    internal WaitQueue(string waitsFor, IResumeCondition resumeCondition)
    {
        _waitsFor = waitsFor;
        _resumeCondition = resumeCondition;
    }

    /// <summary>What a task parked here waits for, for deadlock reports and <c>aio ps</c>.</summary>
    internal string DescribeWaiter() => _waitsFor is { } w ? $"waits in {w} ({_waiting} waiting)" : $"waits in {this}";

    /// <summary>How many tasks are parked (cancelled ones excluded).</summary>
    public int Count => _waiting;

    /// <summary>How many tasks were woken and have not resumed yet.</summary>
    public int InFlight => _inFlight;

    /// <summary>
    /// True right after an await of <see cref="WaitAsync"/> ended (normally or by an exception) for a task that had
    /// been woken. Read it in the code that directly follows the await, before anything else runs.
    /// </summary>
    public bool ResumedAfterWake { get; private set; }

    /// <summary>
    /// Parks the current task until <see cref="WakeOne"/> or <see cref="WakeAll"/> reaches it, the task is cancelled
    /// (<see cref="CancelledError"/>), or <paramref name="cancellationToken"/> is cancelled (<see cref="OperationCanceledException"/>).
    /// </summary>
    public WaitAwaitable WaitAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

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
        while (_count > 0)
        {
            Entry entry = TakeHead();
            if (TryWake(in entry))
            {
                woken++;
            }
        }

        return woken;
    }

    /// <summary>
    /// Wakes the longest-waiting waiter on the next iteration, as <see cref="WakeOne"/> does, but only if the queue's
    /// resume condition still holds then: the check and the resume run in one ready-queue callback, so nothing can
    /// undo the condition in between (a reader woken for data that another task read first stays parked instead of
    /// resuming to an empty buffer). Several calls before that callback runs make one wake-up.
    /// </summary>
    internal void WakeOneChecked()
    {
        if (_waiting == 0 || _checkedWakeQueued)
        {
            return;
        }

        _checkedWakeQueued = true;
        _loop!.EnqueueReady(s_checkedWake, this);
    }

    private static readonly Action<object?> s_checkedWake = static s => ((WaitQueue)s!).RunCheckedWake();

    /// <summary>How reports name the <see cref="WakeOneChecked"/> callback (any thread: reads nothing that changes).</summary>
    string IDescribedCallback.Describe() => $"WaitQueue.WakeOneChecked (resumes a task that waits in {_waitsFor ?? "a WaitQueue"})";

    private void RunCheckedWake()
    {
        _checkedWakeQueued = false;
        if (!_resumeCondition!.CanResume)
        {
            return;
        }

        while (_count > 0)
        {
            Entry entry = TakeHead();
            switch (entry.Target)
            {
                case AioTask task when IsLive(task, entry.Seq):
                    _waiting--;
                    _inFlight++;
                    task._flags |= WokenFromQueue;
                    task._waiter = WaitMarker.Woken;
                    task._waitSeq = 0;
                    task.Step();   // at once: this callback is where the step would have been queued
                    return;
                case ForeignWaiter foreign when !foreign.Done:
                    _waiting--;
                    _inFlight++;
                    foreign.Done = true;
                    foreign.WasWoken = true;
                    _loop!._loopDrivenForeign--;
                    foreign.Run();
                    return;
            }
        }
    }

    /// <summary>
    /// Binds the queue to the running loop now, as asyncio's <c>_get_loop()</c> does before a primitive changes any
    /// state, so a loop mismatch is reported before, not after, the caller gives anything up.
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop runs on this thread, or the queue belongs to another loop.</exception>
    /// <summary>
    /// The cheap wrong-thread check of the primitive that owns this queue: the first change made on a loop's thread binds
    /// the queue to that loop, and from then on only the thread running it may change the primitive (a Set or Release
    /// from a ToThread worker would be a data race). Changes before any loop runs stay allowed.
    /// </summary>
    internal void CheckThread(string member)
    {
        if (_loop is { } loop)
        {
            loop.CheckThread(member);
        }
        else if (EventLoop.Current is { } current)
        {
            _loop = current;
        }
    }

    internal void BindToRunningLoop(string member) =>
        Bind(EventLoop.Current ?? throw ThrowHelper.NoRunningLoop(member));

    private EventLoop Bind(EventLoop loop)
    {
        if (_loop is null)
        {
            _loop = loop;
        }
        else if (!ReferenceEquals(_loop, loop))
        {
            throw new InvalidOperationException(
                $"{this} is bound to a different event loop: a synchronization primitive or queue belongs to the loop it was first used on. " +
                "Create one per loop, or hand work across loops with CallSoonThreadSafe.");
        }

        return loop;
    }

    internal void Park(AioTask task, CancellationToken cancellationToken)
    {
        EventLoop loop = Bind(task._loop!);
        if (cancellationToken.IsCancellationRequested)
        {
            task.ResumeWithError(new OperationCanceledException(cancellationToken));
            return;
        }

        long seq = _nextSeq++;
        Push(task, seq);
        task.ParkIn(this, seq);
        if (cancellationToken.CanBeCanceled)
        {
            var record = new TokenWait(this, task, seq, cancellationToken);
            task.SetWaitRegistration(cancellationToken.UnsafeRegister(static s =>
            {
                var r = (TokenWait)s!;
                r.Queue._loop!.TryPost(static x => ((TokenWait)x!).Fire(), r);
            }, record));
        }
    }

    internal void ParkForeign(EventLoop loop, Action continuation, CancellationToken cancellationToken)
    {
        Bind(loop);
        var waiter = new ForeignWaiter(this, continuation, loop.TaskToBindTo());
        if (cancellationToken.IsCancellationRequested)
        {
            waiter.Error = new OperationCanceledException(cancellationToken);
            loop.EnqueueReady(ForeignWaiter.Resume, waiter);
            return;
        }

        loop._loopDrivenForeign++;
        Push(waiter, _nextSeq++);
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static s =>
            {
                var w = (ForeignWaiter)s!;
                w.Queue._loop!.TryPost(static x => ((ForeignWaiter)x!).CancelByToken(), w);
            }, waiter);
            waiter.Token = cancellationToken;
        }
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

    /// <summary>Called first by the awaiter of a resumed waiter: settles the in-flight count.</summary>
    internal void OnResumed(bool wasWoken)
    {
        ResumedAfterWake = wasWoken;
        if (wasWoken)
        {
            _inFlight--;
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
                _inFlight++;
                task._flags |= WokenFromQueue;
                task.WakeFromWait();
                return true;
            case ForeignWaiter foreign when !foreign.Done:
                _waiting--;
                _inFlight++;
                foreign.Wake();
                return true;
            default:
                return false;
        }
    }

    private bool IsLive(AioTask task, long seq) => ReferenceEquals(task._waiter, this) && task._waitSeq == seq;

    private bool IsLive(in Entry e) => e.Target switch
    {
        AioTask t => IsLive(t, e.Seq),
        ForeignWaiter f => !f.Done,
        _ => false,
    };

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
    public override string ToString() => $"<WaitQueue waiting={_waiting} in-flight={_inFlight}>";

    /// <summary>What <see cref="WaitAsync"/> returns.</summary>
    public readonly struct WaitAwaitable
    {
        private readonly WaitQueue _queue;
        private readonly CancellationToken _token;

        internal WaitAwaitable(WaitQueue queue, CancellationToken token)
        {
            _queue = queue;
            _token = token;
        }

        /// <summary>Gets the awaiter.</summary>
        public WaitAwaiter GetAwaiter() => new(_queue, _token);
    }

    /// <summary>Awaits a place in a <see cref="WaitQueue"/>.</summary>
    public readonly struct WaitAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly WaitQueue _queue;
        private readonly CancellationToken _token;

        internal WaitAwaiter(WaitQueue queue, CancellationToken token)
        {
            _queue = queue;
            _token = token;
        }

        /// <summary>Always false: waiting always parks until a wake-up. Throws when no loop runs on this thread.</summary>
        public bool IsCompleted => EventLoop.Current is not null ? false : throw ThrowHelper.NoRunningLoop("WaitQueue.WaitAsync");

        /// <summary>Returns once woken; throws <see cref="CancelledError"/> or <see cref="OperationCanceledException"/> otherwise.</summary>
        public void GetResult()
        {
            AioTask? task = EventLoop.Current?._currentTask;
            bool woken = false;
            if (task is not null && (task._flags & WokenFromQueue) != 0)
            {
                task._flags &= ~WokenFromQueue;
                woken = true;
            }
            else if (ForeignWaiter.Resuming is { } foreign && ReferenceEquals(foreign.Queue, _queue))
            {
                woken = foreign.WasWoken;
            }

            _queue.OnResumed(woken);
            AioTask.ThrowIfResumedWithError();
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _queue.Park(task, _token);

        /// <summary>Parks <paramref name="task"/>, for awaiters that wrap this one (no boxing through the interface).</summary>
        internal void Park(AioTask task) => _queue.Park(task, _token);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Plain .NET async code waits in the queue; its continuation runs on the loop once woken.</summary>
        public void UnsafeOnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            EventLoop loop = EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("WaitQueue.WaitAsync");
            loop.CheckCallable("WaitQueue.WaitAsync");
            _queue.ParkForeign(loop, continuation, _token);
        }
    }

    /// <summary>Cancels a parked task's wait when its token fires.</summary>
    private sealed class TokenWait(WaitQueue queue, AioTask task, long seq, CancellationToken token)
    {
        public WaitQueue Queue => queue;

        public void Fire()
        {
            if (queue.IsLive(task, seq))
            {
                queue.Abandon();
                task.ResumeWithError(new OperationCanceledException(token));
            }
        }
    }

    /// <summary>A continuation of plain .NET async code waiting in the queue.</summary>
    private sealed class ForeignWaiter(WaitQueue queue, Action continuation, AioTask? owner)
    {
        [ThreadStatic]
        public static ForeignWaiter? Resuming;

        public WaitQueue Queue => queue;
        public bool Done;
        public bool WasWoken;
        public Exception? Error;
        public CancellationTokenRegistration Registration;
        public CancellationToken Token;

        public static readonly Action<object?> Resume = static s => ((ForeignWaiter)s!).Run();

        public void Wake()
        {
            Done = true;
            WasWoken = true;
            Queue._loop!._loopDrivenForeign--;
            Queue._loop.EnqueueReady(Resume, this);
        }

        public void CancelByToken()
        {
            if (Done)
            {
                return;
            }

            Done = true;
            Queue.Abandon();
            Queue._loop!._loopDrivenForeign--;
            Error = new OperationCanceledException(Token);
            Queue._loop.EnqueueReady(Resume, this);
        }

        public void Run()
        {
            Registration.Dispose();
            EventLoop loop = Queue._loop!;
            ForeignWaiter? previous = Resuming;
            Resuming = this;
            loop._resumeError = Error;
            try
            {
                if (owner is null)
                {
                    continuation();
                }
                else
                {
                    TaskBoundContinuation.RunAs(owner, continuation);
                }
            }
            finally
            {
                loop._resumeError = null;
                Resuming = previous;
            }
        }
    }
}
