using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Asyncio.Hosting;

/// <summary>Registers the hosted event loop and its main coroutine.</summary>
/// <example>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddEventLoop(o => o.Debug = true);
/// builder.Services.AddEventLoopMain&lt;Worker&gt;();   // class Worker : IEventLoopMain
/// await builder.Build().RunAsync();
/// </code>
/// </example>
public static class EventLoopServiceCollectionExtensions
{
    /// <summary>
    /// Adds a hosted service that runs an event loop on a thread of its own while the host runs, and
    /// <see cref="IEventLoopAccessor"/>. Options: the configuration section <c>Asyncio:EventLoop</c>, then
    /// <paramref name="configure"/>. Without a main coroutine (<c>AddEventLoopMain</c>) the loop runs until the host
    /// stops, serving what other services schedule on it. Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddEventLoop(this IServiceCollection services, Action<EventLoopHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<EventLoopHostOptions>, BindEventLoopHostOptions>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<EventLoopAccessor>();
        services.TryAddSingleton<IEventLoopAccessor>(static sp => sp.GetRequiredService<EventLoopAccessor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, EventLoopHostedService>());
        return services;
    }

    /// <summary>
    /// Adds the hosted event loop (see <see cref="AddEventLoop(IServiceCollection, Action{EventLoopHostOptions}?)"/>)
    /// and runs <typeparamref name="TMain"/>'s <see cref="IEventLoopMain.RunAsync"/> as its main task.
    /// <typeparamref name="TMain"/> is registered as transient and resolved once, from a scope that lives as long as the
    /// loop, on the loop thread.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A main coroutine is already registered.</exception>
    public static IServiceCollection AddEventLoopMain<TMain>(this IServiceCollection services)
        where TMain : class, IEventLoopMain
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddTransient<TMain>();
        return AddMain(services, new EventLoopMainRegistration(
            static (sp, token) => sp.GetRequiredService<TMain>().RunAsync(token), typeof(TMain).Name));
    }

    /// <summary>
    /// Adds the hosted event loop and runs the coroutine <paramref name="main"/> returns as its main task; it gets a
    /// scoped service provider and the token that fires when the host stops.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">A main coroutine is already registered.</exception>
    public static IServiceCollection AddEventLoopMain(this IServiceCollection services, Func<IServiceProvider, CancellationToken, Coroutine> main)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(main);
        return AddMain(services, new EventLoopMainRegistration(main, "main"));
    }

    private static IServiceCollection AddMain(IServiceCollection services, EventLoopMainRegistration registration)
    {
        if (services.Any(static d => d.ServiceType == typeof(EventLoopMainRegistration)))
        {
            throw new InvalidOperationException(
                "An event loop main coroutine is already registered: a hosted loop runs one main task. Start more work from it " +
                "with Aio.CreateTask, or schedule it from other services through IEventLoopAccessor.");
        }

        services.AddSingleton(registration);
        return services.AddEventLoop();
    }

    /// <summary>Binds <see cref="EventLoopHostOptions"/> from the host's configuration, when it has one.</summary>
    private sealed class BindEventLoopHostOptions(IServiceProvider services) : IConfigureOptions<EventLoopHostOptions>
    {
        public void Configure(EventLoopHostOptions options)
        {
            if (services.GetService<IConfiguration>() is { } configuration)
            {
                configuration.GetSection(EventLoopHostOptions.ConfigurationSection).Bind(options);
            }
        }
    }
}
