namespace Asyncio;

internal static class InspectionServer
{
    public static void Register(EventLoop loop)
    {
    }

    public static void Unregister(EventLoop loop)
    {
    }
}
