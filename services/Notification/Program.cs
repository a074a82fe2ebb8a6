using Platform.Messaging;
using Platform.Notification;
using Platform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotification();
builder.AddMessaging(bus => bus.AddNotificationConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotification();
app.Run();
