using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Asyncio.Packaging.Tests;

/// <summary>
/// A temp folder holding the three packages, packed once for all the tests of the class from the projects' build
/// output (<c>dotnet pack --no-build</c> in this test project's configuration: the solution build made it already).
/// Each run packs a version of its own (0.1.0-pkgtest-TIMESTAMP) so that no package cache can serve an older build.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public static readonly string[] PackageIds = ["Asyncio", "Asyncio.Testing", "Asyncio.Hosting"];

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    public string Root { get; } = Directory.CreateTempSubdirectory("asyncio-packaging-").FullName;

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = "0.1.0-pkgtest-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public TimeSpan PackTime { get; private set; }

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    public static string Configuration => Metadata("Configuration");

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();

        // One `dotnet pack` for the three: a solution file of their own, next to the feed.
        string solution = Path.Combine(Root, "packages-under-test.slnx");
        await File.WriteAllLinesAsync(solution, [
            "<Solution>",
            .. PackageIds.Select(id =>
                $"  <Project Path=\"{Path.GetRelativePath(Root, Path.Combine(RepositoryRoot, "src", id, id + ".csproj")).Replace('\\', '/')}\" />"),
            "</Solution>",
        ]);
        var (exitCode, output) = await DotNetCli.RunAsync(Root, StepTimeout,
            "pack", solution, "--no-build", "-c", Configuration, "-o", Feed,
            "-p:VersionSuffix=" + Version["0.1.0-".Length..],
            "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar);
        Assert.True(exitCode == 0, $"dotnet pack failed ({exitCode}):\n{output}");
        PackTime = watch.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }

        return Task.CompletedTask;
    }

    public string PackagePath(string id, bool symbols = false) => Path.Combine(Feed, $"{id}.{Version}.{(symbols ? "snupkg" : "nupkg")}");

    private static string Metadata(string key) =>
        typeof(PackedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
