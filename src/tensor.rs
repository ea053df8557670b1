//! A batch tensor: a flat buffer plus an NCHW shape, viewed through ndarray.
//!
//! Layers keep their buffers across steps; `resize` reuses the allocation, so once the largest
//! batch has been seen a training step allocates nothing. Fully connected activations use the same
//! type with H = W = 1.

use ndarray::{ArrayView2, ArrayView4, ArrayViewMut2, ArrayViewMut4};

#[derive(Clone, Debug, Default)]
pub struct Tensor<T> {
    pub data: Vec<T>,
    /// (N, C, H, W)
    pub shape: [usize; 4],
}

impl<T: Copy + Default> Tensor<T> {
    pub fn zeros(shape: [usize; 4]) -> Self {
        Tensor {
            data: vec![T::default(); shape.iter().product()],
            shape,
        }
    }

    pub fn from_vec(shape: [usize; 4], data: Vec<T>) -> Self {
        assert_eq!(
            data.len(),
            shape.iter().product::<usize>(),
            "tensor data does not match shape {shape:?}"
        );
        Tensor { data, shape }
    }

    /// Sets the shape, growing the buffer only if needed. Contents are unspecified afterwards
    /// (callers overwrite them); the allocation is kept so repeated steps allocate nothing.
    pub fn resize(&mut self, shape: [usize; 4]) {
        let len = shape.iter().product();
        if self.data.len() != len {
            self.data.resize(len, T::default());
        }
        self.shape = shape;
    }

    pub fn fill(&mut self, value: T) {
        self.data.iter_mut().for_each(|x| *x = value);
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn batch(&self) -> usize {
        self.shape[0]
    }

    /// Elements per sample: C*H*W.
    pub fn sample_len(&self) -> usize {
        self.shape[1] * self.shape[2] * self.shape[3]
    }

    pub fn sample(&self, n: usize) -> &[T] {
        let s = self.sample_len();
        &self.data[n * s..(n + 1) * s]
    }

    pub fn sample_mut(&mut self, n: usize) -> &mut [T] {
        let s = self.sample_len();
        &mut self.data[n * s..(n + 1) * s]
    }

    pub fn view(&self) -> ArrayView4<'_, T> {
        ArrayView4::from_shape(self.shape, &self.data).expect("shape matches buffer")
    }

    pub fn view_mut(&mut self) -> ArrayViewMut4<'_, T> {
        ArrayViewMut4::from_shape(self.shape, &mut self.data).expect("shape matches buffer")
    }

    /// (N, C*H*W): the view a fully connected layer works on.
    pub fn matrix(&self) -> ArrayView2<'_, T> {
        ArrayView2::from_shape((self.shape[0], self.sample_len()), &self.data).expect("shape matches buffer")
    }

    pub fn matrix_mut(&mut self) -> ArrayViewMut2<'_, T> {
        let shape = (self.shape[0], self.sample_len());
        ArrayViewMut2::from_shape(shape, &mut self.data).expect("shape matches buffer")
    }
}
