namespace Asyncio.Tests;

/// <summary>Awaits an awaiter a test already took (to look at IsCompleted before awaiting it, once).</summary>
internal readonly struct AwaiterBox<T>(ValueCoroutineAwaiter<T> awaiter)
{
    public ValueCoroutineAwaiter<T> GetAwaiter() => awaiter;
}

/// <summary>Awaits an awaiter a test already took.</summary>
internal readonly struct AwaiterBox(ValueCoroutineAwaiter awaiter)
{
    public ValueCoroutineAwaiter GetAwaiter() => awaiter;
}

/// <summary>Awaits a lock-acquire awaiter a test already took.</summary>
internal readonly struct LockAwaiterBox(AsyncLock.AcquireAwaiter awaiter)
{
    public AsyncLock.AcquireAwaiter GetAwaiter() => awaiter;
}

/// <summary>Awaits a semaphore-acquire awaiter a test already took.</summary>
internal readonly struct SemaphoreAwaiterBox(AsyncSemaphore.AcquireAwaiter awaiter)
{
    public AsyncSemaphore.AcquireAwaiter GetAwaiter() => awaiter;
}

/// <summary>Awaits a queue-put awaiter a test already took.</summary>
internal readonly struct PutAwaiterBox<T>(AsyncQueue<T>.PutAwaiter awaiter)
{
    public AsyncQueue<T>.PutAwaiter GetAwaiter() => awaiter;
}

/// <summary>Awaits a queue-join awaiter a test already took.</summary>
internal readonly struct JoinAwaiterBox<T>(AsyncQueue<T>.JoinAwaiter awaiter)
{
    public AsyncQueue<T>.JoinAwaiter GetAwaiter() => awaiter;
}
