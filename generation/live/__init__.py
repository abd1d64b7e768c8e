"""Live task state: notifications of task changes and the clients that wait for them."""
