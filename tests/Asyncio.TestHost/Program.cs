using Asyncio;

// Usage: Asyncio.TestHost sigint [--ignore-first]
// Prints "ready" once the main task waits; the test then sends SIGINT.
if (args.Length == 0 || args[0] != "sigint")
{
    Console.Error.WriteLine("usage: Asyncio.TestHost sigint [--ignore-first]");
    return 2;
}

bool ignoreFirst = args.Contains("--ignore-first");
try
{
    Aio.Run(async () =>
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
        try
        {
            await Aio.Sleep(double.PositiveInfinity);
        }
        catch (CancelledError) when (ignoreFirst)
        {
            Console.WriteLine("ignored first interrupt");
            Console.Out.Flush();
            Aio.CurrentTask!.Uncancel();
            await Aio.Sleep(double.PositiveInfinity);
        }
    });
    Console.WriteLine("main returned");
    return 0;
}
catch (KeyboardInterruptException)
{
    Console.WriteLine("KeyboardInterruptException");
    return 3;
}
