namespace Asyncio;

/// <summary>The outcome of an operation asked with a token that was already cancelled.</summary>
internal static class Canceled<T>
{
    public static ValueCoroutine<T> Throw(CancellationToken token) => new(ThrowAsync(token));

    public static async Coroutine<T> ThrowAsync(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        return default!;
    }
}
