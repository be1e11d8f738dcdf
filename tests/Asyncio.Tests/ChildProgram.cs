namespace Asyncio.Tests;

/// <summary>
/// The test assembly's entry point (the test host never calls it). Tests that need a real child process start this
/// assembly with <c>dotnet Asyncio.Tests.dll ARG</c>; without a known argument it does nothing.
/// </summary>
internal static class ChildProgram
{
    public const string SigintChildArg = "sigint-child";
    public const int KeyboardInterruptExitCode = 42;

    public static int Main(string[] args)
    {
        if (args is [SigintChildArg])
        {
            return SigintChild();
        }

        return 0;
    }

    /// <summary>Runs a main coroutine that waits forever (system clock), for RunnerTests' SIGINT test.</summary>
    private static int SigintChild()
    {
        try
        {
            Aio.Run(async () =>
            {
                Console.WriteLine("ready");
                try
                {
                    await Aio.Sleep(double.PositiveInfinity);
                }
                catch (CancelledError)
                {
                    Console.WriteLine("main cancelled");
                    throw;
                }
            });
            Console.WriteLine("Aio.Run returned normally");
            return 1;
        }
        catch (KeyboardInterruptException e)
        {
            Console.WriteLine(e.GetType().Name);
            return KeyboardInterruptExitCode;
        }
    }
}
