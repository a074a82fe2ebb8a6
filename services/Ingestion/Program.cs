using Platform.Ingestion;
using Platform.Messaging;
using Platform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngestion();
builder.AddMessaging(bus => bus.AddIngestionConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngestion();
app.Run();
