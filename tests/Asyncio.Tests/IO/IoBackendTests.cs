using System.Diagnostics;

namespace Asyncio.Tests.IO;

/// <summary>How a loop's I/O backend is chosen: <see cref="LoopOptions.IoBackend"/>, then <c>ASYNCIO_SELECTOR</c>, then the OS.</summary>
public class IoBackendTests
{
    [Theory]
    [InlineData(IoBackend.Auto, null, true, IoBackend.Epoll)]
    [InlineData(IoBackend.Auto, null, false, IoBackend.Portable)]
    [InlineData(IoBackend.Auto, "", true, IoBackend.Epoll)]
    [InlineData(IoBackend.Auto, "portable", true, IoBackend.Portable)]
    [InlineData(IoBackend.Auto, " Portable ", true, IoBackend.Portable)]
    [InlineData(IoBackend.Auto, "epoll", true, IoBackend.Epoll)]
    [InlineData(IoBackend.Auto, "portable", false, IoBackend.Portable)]
    [InlineData(IoBackend.Portable, "epoll", true, IoBackend.Portable)]
    [InlineData(IoBackend.Epoll, "portable", true, IoBackend.Epoll)]
    [InlineData(IoBackend.Portable, null, false, IoBackend.Portable)]
    public void ResolveIoBackend_OptionThenVariableThenPlatform(IoBackend requested, string? variable, bool isLinux, IoBackend expected) =>
        Assert.Equal(expected, LoopOptions.ResolveIoBackend(requested, variable, isLinux));

    [Fact]
    public void ResolveIoBackend_UnknownVariableValue_FormatExceptionNamingTheVariableAndValues()
    {
        var e = LoopRun.Throws<FormatException>(() => LoopOptions.ResolveIoBackend(IoBackend.Auto, "kqueue", isLinux: true),
            "ASYNCIO_SELECTOR", "'kqueue'", "'epoll'", "'portable'");
        Assert.Contains("unset it", e.Message);
    }

    [Fact]
    public void ResolveIoBackend_EpollOffLinux_PlatformNotSupportedSayingToUsePortable()
    {
        LoopRun.Throws<PlatformNotSupportedException>(() => LoopOptions.ResolveIoBackend(IoBackend.Epoll, null, isLinux: false),
            "LoopOptions.IoBackend is Epoll", "needs Linux", "IoBackend.Portable");
        LoopRun.Throws<PlatformNotSupportedException>(() => LoopOptions.ResolveIoBackend(IoBackend.Auto, "epoll", isLinux: false),
            "ASYNCIO_SELECTOR is 'epoll'", "needs Linux", "ASYNCIO_SELECTOR=portable");
    }

    [Fact]
    public void ResolveIoBackend_UndefinedValue_Throws() =>
        LoopRun.Throws<ArgumentOutOfRangeException>(() => LoopOptions.ResolveIoBackend((IoBackend)7, null, isLinux: true), "Auto, Epoll or Portable");

    [Fact]
    public void EventLoop_IoBackend_IsTheResolvedOne()
    {
        using var portable = new EventLoop(new LoopOptions { IoBackend = IoBackend.Portable });
        Assert.Equal(IoBackend.Portable, portable.IoBackend);
        if (OperatingSystem.IsLinux())
        {
            using var epoll = new EventLoop(new LoopOptions { IoBackend = IoBackend.Epoll });
            Assert.Equal(IoBackend.Epoll, epoll.IoBackend);
        }
    }

    /// <summary>The variable itself, read by a real child process (the test process's environment is shared by parallel tests).</summary>
    [Fact]
    public async Task AsyncioSelectorVariable_Portable_IsHonouredByAChildProcess()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Asyncio.TestHost.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("backend");
        psi.Environment["ASYNCIO_SELECTOR"] = "portable";
        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> errors = p.StandardError.ReadToEndAsync();
        try
        {
            // real-time: a bounded wait for the child, so a broken one fails the test instead of hanging it.
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the child did not exit within 60 s");
        }

        string printed = await output;
        Assert.True(p.ExitCode == 0, $"the child failed ({p.ExitCode}): {await errors}");
        Assert.Equal("Portable echo", printed.Trim());
    }
}
