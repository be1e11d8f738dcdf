namespace Asyncio;

/// <summary>A queue that returns the most recently put item first (asyncio's <c>LifoQueue</c>); see <see cref="AsyncQueue{T}"/>.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class AsyncLifoQueue<T> : AsyncQueue<T>
{
    private readonly Stack<T> _stack = new();

    /// <summary>A LIFO queue holding at most <paramref name="maxSize"/> items; zero or less means unbounded.</summary>
    public AsyncLifoQueue(int maxSize = 0)
        : base(maxSize)
    {
    }

    /// <inheritdoc/>
    protected override int ItemCount => _stack.Count;

    /// <inheritdoc/>
    protected override void StoreItem(T item) => _stack.Push(item);

    /// <inheritdoc/>
    protected override T TakeItem() => _stack.Pop();
}
