using Platform.AllInOne.Demo;
using Platform.Embedding;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.Notification;
using Platform.Scoring;
using Platform.ServiceDefaults;

// The embedded default: the four services in one process, one in-memory bus, one SQLite file each under data/.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngestion();
builder.AddEmbedding();
builder.AddScoring();
builder.AddNotification();
builder.AddMessaging(bus =>
{
    bus.AddIngestionConsumers();
    bus.AddEmbeddingConsumers();
    bus.AddScoringConsumers();
    bus.AddNotificationConsumers();
});
builder.AddDemo();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngestion();
app.MapEmbedding();
app.MapScoring();
app.MapNotification();
app.Run();
