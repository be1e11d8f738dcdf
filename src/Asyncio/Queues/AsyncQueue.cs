using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A FIFO queue for producer and consumer tasks (asyncio's <c>Queue</c>), with an optional capacity that makes
/// producers wait (backpressure), <see cref="TaskDone"/>/<see cref="JoinAsync"/> to wait until every item was
/// processed, and <see cref="Shutdown"/>. Consumable with <c>await foreach</c>. Bound to the loop it is first used
/// on; loop thread only.
/// </summary>
/// <remarks>
/// Waiting producers and consumers are served first come, first served. A woken waiter cancelled before it runs
/// passes its wake-up to the next one, so no item or slot is lost. Uncontended puts and gets allocate nothing.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
public partial class AsyncQueue<T> : IAsyncEnumerable<T>
{
    private readonly int _maxSize;
    private readonly WaitQueue _getters = new("AsyncQueue.GetAsync");
    private readonly WaitQueue _putters = new("AsyncQueue.PutAsync");
    private readonly AsyncEvent _finished = new();
    private readonly Queue<T> _items = new();
    private int _unfinished;
    private bool _shutdown;

    /// <summary>A queue holding at most <paramref name="maxSize"/> items; zero or less means unbounded.</summary>
    public AsyncQueue(int maxSize = 0)
    {
        _maxSize = maxSize;
        _finished.Set();
    }

    /// <summary>The capacity; zero or less means unbounded (asyncio's <c>maxsize</c>).</summary>
    public int MaxSize => _maxSize;

    /// <summary>Items in the queue (asyncio's <c>qsize()</c>).</summary>
    public int Count => ItemCount;

    /// <summary>True when the queue holds no item.</summary>
    public bool IsEmpty => ItemCount == 0;

    /// <summary>True when a bounded queue holds <see cref="MaxSize"/> items.</summary>
    public bool IsFull => _maxSize > 0 && ItemCount >= _maxSize;

    /// <summary>True once <see cref="Shutdown"/> was called.</summary>
    public bool IsShutDown => _shutdown;

    /// <summary>Items put and not yet marked done with <see cref="TaskDone"/>.</summary>
    public int UnfinishedTasks => _unfinished;

    // ------------------------------------------------------------------ storage (overridden by the LIFO and priority queues)

    /// <summary>Number of stored items.</summary>
    protected virtual int ItemCount => _items.Count;

    /// <summary>Stores an item.</summary>
    protected virtual void StoreItem(T item) => _items.Enqueue(item);

    /// <summary>Removes the next item in this queue's order.</summary>
    protected virtual T TakeItem() => _items.Dequeue();

    // ------------------------------------------------------------------ put

    /// <summary>
    /// Puts <paramref name="item"/>, waiting while a bounded queue is full (asyncio's <c>put</c>).
    /// </summary>
    /// <exception cref="QueueShutDownError">The queue is shut down (also while waiting).</exception>
    /// <exception cref="CancelledError">The task was cancelled while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public PutAwaitable PutAsync(T item, CancellationToken cancellationToken = default) => new(this, item, cancellationToken);

    /// <summary>What <see cref="PutAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct PutAwaitable
    {
        private readonly AsyncQueue<T> _queue;
        private readonly T _item;
        private readonly CancellationToken _token;

        internal PutAwaitable(AsyncQueue<T> queue, T item, CancellationToken token)
        {
            _queue = queue;
            _item = item;
            _token = token;
        }

        /// <summary>Puts now if there is room, else waits.</summary>
        public PutAwaiter GetAwaiter() => new(_queue, _item, _token);

        /// <summary>The put as a cold coroutine: nothing is put until it runs.</summary>
        public Coroutine AsCoroutine() => _queue.PutSlowAsync(_item, _token);
    }

    /// <summary>The cold form (<see cref="PutAwaitable.AsCoroutine"/>): the same put, run when the coroutine runs.</summary>
    private async Coroutine PutSlowAsync(T item, CancellationToken cancellationToken) =>
        await new PutAwaitable(this, item, cancellationToken);

    /// <summary>Puts <paramref name="item"/> without waiting (asyncio's <c>put_nowait</c>).</summary>
    /// <exception cref="QueueFullError">A bounded queue is full.</exception>
    /// <exception cref="QueueShutDownError">The queue is shut down.</exception>
    public void PutNoWait(T item)
    {
        if (!TryPut(item))
        {
            throw new QueueFullError(_maxSize);
        }
    }

    /// <summary>Puts <paramref name="item"/> if there is room; false if a bounded queue is full.</summary>
    /// <exception cref="QueueShutDownError">The queue is shut down.</exception>
    public bool TryPut(T item)
    {
        _getters.CheckThread("AsyncQueue.TryPut");
        if (_shutdown)
        {
            throw ShutDown("Put");
        }

        if (IsFull)
        {
            return false;
        }

        StoreItem(item);
        _unfinished++;
        _finished.Clear();
        _getters.WakeOne();
        return true;
    }

    // ------------------------------------------------------------------ get

    /// <summary>
    /// Removes and returns the next item, waiting while the queue is empty (asyncio's <c>get</c>).
    /// </summary>
    /// <exception cref="QueueShutDownError">The queue is shut down and empty (also while waiting).</exception>
    /// <exception cref="CancelledError">The task was cancelled while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public GetAwaitable GetAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>What <see cref="GetAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct GetAwaitable
    {
        private readonly AsyncQueue<T> _queue;
        private readonly CancellationToken _token;

        internal GetAwaitable(AsyncQueue<T> queue, CancellationToken token)
        {
            _queue = queue;
            _token = token;
        }

        /// <summary>Takes an item now if there is one, else waits.</summary>
        public GetAwaiter GetAwaiter() => new(_queue, _token);

        /// <summary>The get as a cold coroutine: no item is taken until it runs.</summary>
        public Coroutine<T> AsCoroutine() => _queue.GetSlowAsync(_token);
    }

    /// <summary>The cold form (<see cref="GetAwaitable.AsCoroutine"/>): the same get, run when the coroutine runs.</summary>
    private async Coroutine<T> GetSlowAsync(CancellationToken cancellationToken) =>
        await new GetAwaitable(this, cancellationToken);

    /// <summary>Removes and returns the next item without waiting (asyncio's <c>get_nowait</c>).</summary>
    /// <exception cref="QueueEmptyError">The queue is empty.</exception>
    /// <exception cref="QueueShutDownError">The queue is shut down and empty.</exception>
    public T GetNoWait()
    {
        if (TryGet(out T item))
        {
            return item;
        }

        throw _shutdown ? ShutDown("GetNoWait") : new QueueEmptyError();
    }

    /// <summary>Removes the next item if there is one; false when the queue is empty (shut down or not).</summary>
    public bool TryGet(out T item)
    {
        _putters.CheckThread("AsyncQueue.TryGet");
        if (IsEmpty)
        {
            item = default!;
            return false;
        }

        item = TakeItem();
        _putters.WakeOne();
        return true;
    }

    // ------------------------------------------------------------------ join / shutdown

    /// <summary>Marks one item taken from the queue as processed (asyncio's <c>task_done</c>).</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put.</exception>
    public void TaskDone()
    {
        _getters.CheckThread("AsyncQueue.TaskDone");
        if (_unfinished <= 0)
        {
            throw new InvalidOperationException("TaskDone() called too many times: more than there were items put in the queue.");
        }

        _unfinished--;
        if (_unfinished == 0)
        {
            _finished.Set();
        }
    }

    /// <summary>Waits until every item put has been marked done with <see cref="TaskDone"/> (asyncio's <c>join</c>).</summary>
    public JoinAwaitable JoinAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>What <see cref="JoinAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct JoinAwaitable
    {
        private readonly AsyncQueue<T> _queue;
        private readonly CancellationToken _token;

        internal JoinAwaitable(AsyncQueue<T> queue, CancellationToken token)
        {
            _queue = queue;
            _token = token;
        }

        /// <summary>Returns at once when nothing is unfinished, else waits (in the event that is set exactly while nothing is).</summary>
        public JoinAwaiter GetAwaiter() => new(_queue._finished.WaitAsync(_token).GetAwaiter());

        /// <summary>The join as a cold coroutine.</summary>
        public Coroutine AsCoroutine() => _queue.JoinSlowAsync(_token);
    }

    /// <summary>Awaits <see cref="JoinAsync"/> without a coroutine frame: the wait of the "all done" event, without its result.</summary>
    public readonly struct JoinAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AsyncEvent.WaitAwaiter _wait;

        internal JoinAwaiter(AsyncEvent.WaitAwaiter wait) => _wait = wait;

        /// <summary>True when nothing is unfinished (or the token was already cancelled).</summary>
        public bool IsCompleted => _wait.IsCompleted;

        /// <summary>Returns once every item is done; throws <see cref="CancelledError"/> or <see cref="OperationCanceledException"/> when the wait was cancelled.</summary>
        public void GetResult() => _wait.GetResult();

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _wait.Park(task);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _wait.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _wait.UnsafeOnCompleted(continuation);
    }

    private async Coroutine JoinSlowAsync(CancellationToken cancellationToken) => await _finished.WaitAsync(cancellationToken);

    /// <summary>
    /// Shuts the queue down (asyncio's <c>shutdown</c>): puts fail with <see cref="QueueShutDownError"/>, gets return the
    /// remaining items and then fail. With <paramref name="immediate"/> the remaining items are dropped too (and
    /// counted done, so <see cref="JoinAsync"/> returns). Every waiting producer and consumer wakes to re-check.
    /// </summary>
    public void Shutdown(bool immediate = false)
    {
        _getters.CheckThread("AsyncQueue.Shutdown");
        _shutdown = true;
        if (immediate)
        {
            while (!IsEmpty)
            {
                TakeItem();
                if (_unfinished > 0)
                {
                    _unfinished--;
                }
            }

            if (_unfinished == 0)
            {
                _finished.Set();
            }
        }

        _getters.WakeAll();
        _putters.WakeAll();
    }

    private static QueueShutDownError ShutDown(string operation) =>
        new($"{operation} on a queue that was shut down: no more items can be put, and gets fail once it is empty.");

    /// <inheritdoc/>
    public override string ToString() =>
        $"<{GetType().Name} maxsize={_maxSize} size={ItemCount} getters={_getters.Count} putters={_putters.Count} unfinished={_unfinished}{(_shutdown ? " shutdown" : "")}>";
}
