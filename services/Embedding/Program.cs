using Platform.Embedding;
using Platform.Messaging;
using Platform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEmbedding();
builder.AddMessaging(bus => bus.AddEmbeddingConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEmbedding();
app.Run();
