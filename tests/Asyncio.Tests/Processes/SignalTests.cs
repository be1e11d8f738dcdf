using System.Runtime.InteropServices;

namespace Asyncio.Tests.Processes;

public partial class SignalTests
{
    [LibraryImport("libc")]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial int getpid();

    private const PosixSignal SIGUSR1 = (PosixSignal)10;

    [Fact]
    public void AddSignalHandler_Sigusr1_CallbackRunsOnLoopThread_ProcessSurvives()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int calls = 0;
        bool onLoopThread = false;
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            int loopThread = Environment.CurrentManagedThreadId;
            var got = loop.CreateFuture<bool>();
            loop.AddSignalHandler(SIGUSR1, () =>
            {
                calls++;
                onLoopThread = Environment.CurrentManagedThreadId == loopThread;
                got.TrySetResult(true);
            });
            Assert.Equal(0, kill(getpid(), 10));
            await Aio.WaitFor(got, 30);
            Assert.True(loop.RemoveSignalHandler(SIGUSR1));
            Assert.False(loop.RemoveSignalHandler(SIGUSR1));
        });
        Assert.Equal(1, calls);
        Assert.True(onLoopThread);
    }
}
