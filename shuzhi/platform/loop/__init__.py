"""The closed loop (闭环): problem → task → dispatch → handle → close → evaluate, once for all."""
