namespace Asyncio.Samples.Seed;

/// <summary>
/// "What is the purpose of async with in asyncio?" — an asynchronous context manager: <c>async with</c> is
/// <c>await using</c>, <c>__aenter__</c> the constructor or a factory, <c>__aexit__</c> <c>DisposeAsync</c>.
/// </summary>
public sealed class AsyncWith : ISample
{
    /// <inheritdoc/>
    public string Name => "async-with";

    /// <inheritdoc/>
    public string Question => "What is the purpose of async with? (await using)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Main()
        {
            await using (AsyncContextManager cm = await AsyncContextManager.EnterAsync(output))
            {
                output.WriteLine("Inside context");
            }
        }

        Aio.Run(Main, options);
    }

    private sealed class AsyncContextManager : IAsyncDisposable
    {
        private readonly TextWriter _output;

        private AsyncContextManager(TextWriter output) => _output = output;

        // __aenter__
        public static async Coroutine<AsyncContextManager> EnterAsync(TextWriter output)
        {
            output.WriteLine("Entering context");
            await Aio.Sleep(0);
            return new AsyncContextManager(output);
        }

        // __aexit__
        public ValueTask DisposeAsync()
        {
            _output.WriteLine("Exiting context");
            return ValueTask.CompletedTask;
        }
    }
}
