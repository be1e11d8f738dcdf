namespace Asyncio.Testing;

/// <summary>An assertion of <see cref="AioTest"/> (such as <see cref="AioTest.AssertNow"/>) did not hold.</summary>
public sealed class AioAssertionException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public AioAssertionException(string message)
        : base(message)
    {
    }
}
