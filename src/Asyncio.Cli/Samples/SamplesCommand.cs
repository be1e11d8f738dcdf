using Asyncio.Samples;

namespace Asyncio.Cli.Samples;

/// <summary><c>aio samples [name] [--list] [--virtual]</c>: runs an example of the seed notes by name.</summary>
internal static class SamplesCommand
{
    public static int Run(string? name, bool list, bool virtualTime, TextWriter stdout, TextWriter stderr)
    {
        if (list || name is null)
        {
            stdout.WriteLine("Seed examples (run one with `aio samples NAME`; add --virtual to run it in virtual time):");
            int width = SampleCatalog.All.Max(s => s.Name.Length);
            foreach (ISample s in SampleCatalog.All)
            {
                stdout.WriteLine($"  {s.Name.PadRight(width)}  {s.Question}");
            }

            return 0;
        }

        ISample? sample = SampleCatalog.Find(name);
        if (sample is null)
        {
            var close = SampleCatalog.All.Where(s => s.Name.Contains(name, StringComparison.OrdinalIgnoreCase)).Select(s => s.Name).ToList();
            stderr.WriteLine($"aio samples: no sample is called '{name}'." +
                             (close.Count > 0 ? $" Did you mean: {string.Join(", ", close)}?" : "") +
                             " Run `aio samples --list` to see them all.");
            return 2;
        }

        sample.Run(stdout, new LoopOptions { Clock = virtualTime ? new VirtualClock() : null });
        stdout.Flush();
        return 0;
    }
}
