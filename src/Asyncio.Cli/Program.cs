namespace Asyncio.Cli;

internal static class Program
{
    public static int Main(string[] args) => AioCli.Run(args);
}
