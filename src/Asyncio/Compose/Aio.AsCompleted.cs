namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Yields the futures or tasks in the order they finish (asyncio's <c>as_completed</c>, async-iterator form).
    /// With <paramref name="timeout"/> (seconds from this call), each slot still open when it passes throws
    /// <see cref="TimeoutException"/>. Nothing is cancelled. The iteration can be resumed after a <c>break</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or an element is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is NaN.</exception>
    public static IAsyncEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, double? timeout = null)
        where TFuture : AioFuture
    {
        ArgumentNullException.ThrowIfNull(futures);
        CheckNotNaN(timeout, nameof(timeout));
        EventLoop loop = RunningLoop(nameof(AsCompleted));
        var set = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (TFuture f in futures)
        {
            TFuture future = f ?? throw new ArgumentNullException(nameof(futures), "The set of futures contains null.");
            FutureResults.Ensure(future, loop, "Aio.AsCompleted");
            set.Add(future);
        }

        return new AsCompletedIterator<TFuture>(loop, set, timeout);
    }

    /// <summary>Schedules the coroutines as tasks and yields the tasks in the order they finish; see <see cref="AsCompleted{TFuture}(IEnumerable{TFuture}, double?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutines"/> is null.</exception>
    public static IAsyncEnumerable<AioTask<T>> AsCompleted<T>(IEnumerable<Coroutine<T>> coroutines, double? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        EventLoop loop = RunningLoop(nameof(AsCompleted));
        // asyncio's set(aws): a coroutine given twice becomes one task.
        var tasks = new Dictionary<(object, int), AioTask<T>>();
        foreach (Coroutine<T> c in coroutines)
        {
            (object, int) key = ((IAioAwaitable)c).IdentityKey;
            if (!tasks.ContainsKey(key))
            {
                tasks.Add(key, loop.CreateTask(c));
            }
        }

        return AsCompleted(tasks.Values.ToList(), timeout);
    }

    /// <summary>The state shared by the enumerators of one <c>AsCompleted</c> call.</summary>
    private sealed class AsCompletedIterator<TFuture> : IAsyncEnumerable<TFuture>
        where TFuture : AioFuture
    {
        private readonly AsyncQueue<TFuture?> _done = new();   // null: the timeout's sentinel
        private readonly HashSet<TFuture> _todo;
        private readonly TimerHandle? _timer;
        private int _left;

        public AsCompletedIterator(EventLoop loop, HashSet<TFuture> todo, double? timeout)
        {
            _todo = todo;
            _left = todo.Count;
            foreach (TFuture f in todo)
            {
                f.AddInternalCallback(static s =>
                {
                    var (it, f) = ((AsCompletedIterator<TFuture>, TFuture))s!;
                    it.OnCompletion(f);
                }, (this, f));
            }

            if (todo.Count > 0 && timeout is double t && !double.IsPositiveInfinity(t))
            {
                _timer = loop.CallLater(t, static s => ((AsCompletedIterator<TFuture>)s!).OnTimeout(), this);
            }
        }

        private void OnCompletion(TFuture f)
        {
            if (!_todo.Remove(f))
            {
                return;   // the timeout came first
            }

            _done.PutNoWait(f);
            if (_todo.Count == 0)
            {
                _timer?.Cancel();
            }
        }

        private void OnTimeout()
        {
            for (int i = 0; i < _todo.Count; i++)
            {
                _done.PutNoWait(null);
            }

            _todo.Clear();
        }

        public async IAsyncEnumerator<TFuture> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            IAsyncEnumerator<TFuture?> items = _done.GetAsyncEnumerator(cancellationToken);
            while (_left > 0)
            {
                _left--;
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }

                yield return items.Current ?? throw new TimeoutException(
                    "Timed out: Aio.AsCompleted's timeout passed before this future finished.");
            }
        }
    }
}
