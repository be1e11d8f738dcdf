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
