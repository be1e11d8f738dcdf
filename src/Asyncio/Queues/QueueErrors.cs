namespace Asyncio;

/// <summary><c>TryGet</c>-less removal from an empty queue (asyncio's <c>QueueEmpty</c>).</summary>
public sealed class QueueEmptyError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public QueueEmptyError()
        : base("The queue is empty: GetNoWait found no item. Await GetAsync to wait for one, or use TryGet.")
    {
    }
}

/// <summary>Insertion into a full queue without waiting (asyncio's <c>QueueFull</c>).</summary>
public sealed class QueueFullError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public QueueFullError(int capacity)
        : base($"The queue is full ({capacity} items): PutNoWait could not add. Await PutAsync to wait for room, or use TryPut.")
    {
    }
}

/// <summary>The queue was shut down (asyncio's <c>QueueShutDown</c>): no more puts, and gets once it is empty.</summary>
public sealed class QueueShutDownError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public QueueShutDownError(string message)
        : base(message)
    {
    }
}
