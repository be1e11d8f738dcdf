using System.Text;

namespace Asyncio.Tests.Processes;

public class SubprocessTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); SubprocessTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    private LoopOptions Options() => LoopRun.Io(Backend);

    [Fact]
    public void Exec_Echo_ReadsStdout_ReturnCodeZero()
    {
        var (output, code) = Aio.Run(async () =>
        {
            AioProcess p = await Aio.CreateSubprocessExec("echo", ["hello", "world"], stdout: SubprocessRedirect.Pipe);
            byte[] line = await p.StandardOutput!.ReadLineAsync();
            int rc = await p.WaitAsync();
            return (Encoding.UTF8.GetString(line), rc);
        }, Options());
        Assert.Equal("hello world\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Communicate_TenMebibytesThroughCat()
    {
        var input = new byte[10 * 1024 * 1024];
        new Random(1).NextBytes(input);
        byte[] output = Aio.Run(async () =>
        {
            AioProcess p = await Aio.CreateSubprocessExec("cat", stdin: SubprocessRedirect.Pipe, stdout: SubprocessRedirect.Pipe);
            var (o, _) = await p.CommunicateAsync(input);
            Assert.Equal(0, p.ReturnCode);
            return o;
        }, Options());
        Assert.Equal(input.Length, output.Length);
        Assert.True(input.AsSpan().SequenceEqual(output));
    }

    [Fact]
    public void Shell_ExitCodeAndStderr()
    {
        var (err, code) = Aio.Run(async () =>
        {
            AioProcess p = await Aio.CreateSubprocessShell("echo oops >&2; exit 3", stderr: SubprocessRedirect.Pipe);
            var (_, e) = await p.CommunicateAsync();
            return (Encoding.UTF8.GetString(e), p.ReturnCode);
        }, Options());
        Assert.Equal("oops\n", err);
        Assert.Equal(3, code);
    }

    [Fact]
    public void Kill_ProcessIgnoringStdin_ReturnCodeIsMinusNine()
    {
        int code = Aio.Run(async () =>
        {
            AioProcess p = await Aio.CreateSubprocessExec("sleep", ["1000"], stdin: SubprocessRedirect.Pipe);
            p.Kill();
            p.StandardInput!.Close();
            return await p.WaitAsync();
        }, Options());
        Assert.Equal(-9, code);
    }

    [Fact]
    public void ProcessExitsWithOutputUnread_WaitReturns_OutputStillReadable()
    {
        Aio.Run(async () =>
        {
            AioProcess p = await Aio.CreateSubprocessExec("printf", ["a\\nb\\n"], stdout: SubprocessRedirect.Pipe);
            Assert.Equal(0, await p.WaitAsync());
            Assert.Equal("a\n", Encoding.UTF8.GetString(await p.StandardOutput!.ReadLineAsync()));
            Assert.Equal("b\n", Encoding.UTF8.GetString(await p.StandardOutput!.ReadLineAsync()));
            Assert.True(p.StandardOutput.AtEof);
        }, Options());
    }

    [Fact]
    public void Exec_MissingProgram_ClearError()
    {
        Aio.Run(async () =>
        {
            var e = await Assert.ThrowsAnyAsync<System.ComponentModel.Win32Exception>(async () =>
                await Aio.CreateSubprocessExec("no-such-program-xyz"));
            Assert.Contains("no-such-program-xyz", e.Message);
        }, Options());
    }

    [Fact]
    public void Pipeline_LsPipeGrep()
    {
        string result = Aio.Run(async () =>
        {
            string dir = Path.Combine(Path.GetTempPath(), "aio-pipeline-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                foreach (string f in new[] { "alpha.txt", "beta.log", "gamma.txt" })
                {
                    File.WriteAllText(Path.Combine(dir, f), "");
                }

                AioProcess ls = await Aio.CreateSubprocessExec("ls", [dir], stdout: SubprocessRedirect.Pipe);
                AioProcess grep = await Aio.CreateSubprocessExec("grep", ["txt"], stdin: SubprocessRedirect.Pipe, stdout: SubprocessRedirect.Pipe);
                byte[] listing = await ls.StandardOutput!.ReadAsync(-1);
                await ls.WaitAsync();
                var (matched, _) = await grep.CommunicateAsync(listing);
                return Encoding.UTF8.GetString(matched);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }, Options());
        Assert.Equal("alpha.txt\ngamma.txt\n", result);
    }
}

/// <summary>Every test of <see cref="SubprocessTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class SubprocessTestsOnPortableBackend : SubprocessTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
