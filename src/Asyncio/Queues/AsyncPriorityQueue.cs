namespace Asyncio;

/// <summary>
/// A queue that returns the smallest item first by <see cref="IComparer{T}"/> (asyncio's <c>PriorityQueue</c>, a
/// min-heap); see <see cref="AsyncQueue{T}"/>. Equal items come out in no particular order, as with <c>heapq</c>.
/// </summary>
/// <typeparam name="T">The item type; its order comes from the comparer (the default comparer unless given).</typeparam>
public sealed class AsyncPriorityQueue<T> : AsyncQueue<T>
{
    private readonly PriorityQueue<T, T> _heap;

    /// <summary>A priority queue holding at most <paramref name="maxSize"/> items (zero or less: unbounded), ordered by <paramref name="comparer"/>.</summary>
    public AsyncPriorityQueue(int maxSize = 0, IComparer<T>? comparer = null)
        : base(maxSize)
    {
        _heap = new PriorityQueue<T, T>(comparer ?? Comparer<T>.Default);
    }

    /// <inheritdoc/>
    protected override int ItemCount => _heap.Count;

    /// <inheritdoc/>
    protected override void StoreItem(T item) => _heap.Enqueue(item, item);

    /// <inheritdoc/>
    protected override T TakeItem() => _heap.Dequeue();
}
