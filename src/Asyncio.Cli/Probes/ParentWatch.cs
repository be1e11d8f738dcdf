namespace Asyncio.Cli.Probes;

/// <summary>
/// A probe runs as a child of <c>aio</c> with its stdin a pipe from the parent: when that pipe closes (the parent ended,
/// however it ended) the probe exits too, so no probe outlives the command that started it.
/// </summary>
internal static class ParentWatch
{
    public static void Start()
    {
        if (!Console.IsInputRedirected)
        {
            return;
        }

        var watcher = new Thread(() =>
        {
            try
            {
                Stream stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            Environment.Exit(3);
        })
        {
            IsBackground = true,
            Name = "parent watch",
        };
        watcher.Start();
    }
}
