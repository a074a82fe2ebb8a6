namespace Platform.AllInOne.Demo;

public static class DemoRegistration
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration("Demo");
        builder.Services.AddHttpClient<DemoRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoRunner>());
        return builder;
    }
}
