using Asyncio;
using Asyncio.Samples;

// dotnet run --project samples/Asyncio.Samples -- --list | <name> [--virtual]
if (args.Length == 0 || args[0] is "--list" or "-l" or "--help" or "-h")
{
    Console.WriteLine("Seed examples (run one by name; add --virtual to run it in virtual time):");
    foreach (ISample s in SampleCatalog.All)
    {
        Console.WriteLine($"  {s.Name,-36} {s.Question}");
    }

    return args.Length == 0 || args[0] is "--list" or "-l" ? 0 : 0;
}

ISample? sample = SampleCatalog.Find(args[0]);
if (sample is null)
{
    Console.Error.WriteLine($"No sample is called '{args[0]}'. Run with --list to see them all.");
    return 2;
}

bool virtualTime = args.Contains("--virtual");
sample.Run(Console.Out, new LoopOptions { Clock = virtualTime ? new VirtualClock() : null });
return 0;
