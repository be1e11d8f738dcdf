using System.Net.Sockets;
using System.Text;

namespace Asyncio.Samples.Net;

/// <summary>
/// A minimal HTTP/1.1 server on streams: <c>GET /</c> (and <c>HEAD /</c>) answer a fixed body with a
/// Content-Length; connections are kept alive (HTTP/1.1's default, or HTTP/1.0 with <c>Connection: keep-alive</c>)
/// until the client sends <c>Connection: close</c> or closes; other paths get 404, other methods 405. A request body
/// with a Content-Length is read and ignored. Enough for <c>curl</c> and <c>wrk</c>, not a web server.
/// </summary>
/// <example><c>dotnet run -c Release --project samples/HttpServer -- --port 8080</c>, then <c>curl -v http://127.0.0.1:8080/</c></example>
public static class HttpServer
{
    /// <summary>The body <c>GET /</c> answers.</summary>
    public static readonly byte[] Body = "Hello, World!\n"u8.ToArray();

    private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();
    private const int MaxHeaderBytes = 8 * 1024;

    /// <summary>Starts serving on the running loop.</summary>
    public static Coroutine<Server> StartAsync(string host, int port, bool reusePort = false) =>
        Aio.StartServer(HandleAsync, host, port, limit: MaxHeaderBytes, backlog: 1024, reusePort: reusePort);

    private static byte[] Response(string status, byte[] body, bool keepAlive, bool headOnly)
    {
        string head = $"HTTP/1.1 {status}\r\nServer: Asyncio.NET\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n" +
                      (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        byte[] h = Encoding.ASCII.GetBytes(head);
        return headOnly ? h : [.. h, .. body];
    }

    // Answers built once: [keepAlive ? 1 : 0, headOnly ? 1 : 0].
    private static readonly byte[][] s_ok = [Response("200 OK", Body, false, false), Response("200 OK", Body, false, true), Response("200 OK", Body, true, false), Response("200 OK", Body, true, true)];
    private static readonly byte[] s_notFoundBody = "Not Found\n"u8.ToArray();
    private static readonly byte[] s_notAllowedBody = "Method Not Allowed\n"u8.ToArray();

    private static async Coroutine HandleAsync(AioStreamReader reader, AioStreamWriter writer)
    {
        try
        {
            while (true)
            {
                byte[] head;
                try
                {
                    head = await reader.ReadUntilAsync(s_headerEnd);
                }
                catch (IncompleteReadError)
                {
                    break;   // the client closed between requests (or mid-header)
                }
                catch (LimitOverrunError)
                {
                    writer.Write(Response("431 Request Header Fields Too Large", [], false, false));
                    break;
                }

                if (!TryParse(head, out Request request))
                {
                    writer.Write(Response("400 Bad Request", [], false, false));
                    break;
                }

                if (request.ContentLength > 0)
                {
                    await DiscardAsync(reader, request.ContentLength);
                }

                bool head_ = request.Method == "HEAD";
                byte[] response = (request.Method, request.Target) switch
                {
                    ("GET" or "HEAD", "/") => s_ok[(request.KeepAlive ? 2 : 0) + (head_ ? 1 : 0)],
                    ("GET" or "HEAD", _) => Response("404 Not Found", s_notFoundBody, request.KeepAlive, head_),
                    _ => Response("405 Method Not Allowed", s_notAllowedBody, request.KeepAlive, false),
                };
                writer.Write(response);
                await writer.DrainAsync();
                if (!request.KeepAlive)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // Reset by the client.
        }
        finally
        {
            writer.Close();
        }
    }

    private static async Coroutine DiscardAsync(AioStreamReader reader, long count)
    {
        var sink = new byte[(int)Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            int n = await reader.ReadAsync(sink.AsMemory(0, (int)Math.Min(count, sink.Length)));
            if (n == 0)
            {
                throw new IOException("the client closed in the middle of a request body");
            }

            count -= n;
        }
    }

    /// <summary>What the server needs from a request head.</summary>
    public readonly record struct Request(string Method, string Target, string Version, bool KeepAlive, long ContentLength);

    /// <summary>Parses a request head (request line and headers, up to the blank line).</summary>
    public static bool TryParse(ReadOnlySpan<byte> head, out Request request)
    {
        request = default;
        int eol = head.IndexOf("\r\n"u8);
        if (eol <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> line = head[..eol];
        int sp1 = line.IndexOf((byte)' ');
        int sp2 = sp1 < 0 ? -1 : line[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= 0)
        {
            return false;
        }

        string method = Intern(line[..sp1]);
        string target = line[(sp1 + 1)..(sp1 + 1 + sp2)].SequenceEqual("/"u8) ? "/" : Encoding.ASCII.GetString(line[(sp1 + 1)..(sp1 + 1 + sp2)]);
        ReadOnlySpan<byte> version = line[(sp1 + sp2 + 2)..];
        bool http11 = version.SequenceEqual("HTTP/1.1"u8);
        if (!http11 && !version.SequenceEqual("HTTP/1.0"u8))
        {
            return false;
        }

        bool keepAlive = http11;
        long contentLength = 0;
        ReadOnlySpan<byte> rest = head[(eol + 2)..];
        while (rest.Length > 2)
        {
            int end = rest.IndexOf("\r\n"u8);
            if (end < 0)
            {
                break;
            }

            ReadOnlySpan<byte> header = rest[..end];
            rest = rest[(end + 2)..];
            int colon = header.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }

            ReadOnlySpan<byte> name = header[..colon];
            ReadOnlySpan<byte> value = header[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (ContainsToken(value, "close"u8))
                {
                    keepAlive = false;
                }
                else if (ContainsToken(value, "keep-alive"u8))
                {
                    keepAlive = true;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out contentLength))
                {
                    return false;
                }
            }
        }

        request = new Request(method, target, http11 ? "HTTP/1.1" : "HTTP/1.0", keepAlive, contentLength);
        return true;
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range r in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[r].Trim((byte)' '), token))
            {
                return true;
            }
        }

        return false;
    }

    private static string Intern(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("GET"u8) ? "GET" : method.SequenceEqual("HEAD"u8) ? "HEAD" : method.SequenceEqual("POST"u8) ? "POST" : Encoding.ASCII.GetString(method);

    /// <summary>Serves until Ctrl-C or SIGTERM; prints "listening on HOST:PORT" once it listens.</summary>
    public static int Main(string[] args)
    {
        Dictionary<string, string> o;
        try
        {
            o = SampleHost.ParseArgs(args, "host", "port", "loops");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        string host = o.Str("host", "127.0.0.1");
        int loops = o.Int("loops", 1);
        var (stop, signals) = SampleHost.StopOnSignals();
        using (signals)
        using (stop)
        {
            return SampleHost.RunLoops(loops, o.Int("port", 8080),
                async (_, port, bound, token) =>
                {
                    Server server = await StartAsync(host, port, reusePort: loops > 1);
                    bound(SampleHost.PortOf(server));
                    await SampleHost.WaitCancelledAsync(token);
                    server.Close();
                    server.AbortClients();
                    await server.WaitClosedAsync();
                },
                actual =>
                {
                    Console.WriteLine($"listening on {host}:{actual} loops={loops} pid={Environment.ProcessId}");
                    Console.Out.Flush();
                },
                stop);
        }
    }
}
