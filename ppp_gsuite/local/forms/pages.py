from werkzeug.wrappers import Response
def viewform(ws, request, form_id): return Response("todo")
def form_response(ws, request, form_id): return Response("todo")
